"""The shapes of FLEP's bodies, for the OpenAPI document. Times are local wall clock
labelled `Z` (rest_compat.flep.times); coordinates are `[latitude, longitude]`."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FlepRoom(BaseModel):
    name: str = Field(description="The room's code (RM…).")
    type: str | None
    coordinates: list[float] | None
    building: str


class FreeRoomOut(BaseModel):
    name: str
    type: str | None
    coordinates: list[float] | None
    distance: float | None = Field(
        default=None, description="Metres; only with `coordinates`; null without room coordinates."
    )


class Block(BaseModel):
    start_datetime: str
    end_datetime: str


class SoonestOut(BaseModel):
    name: str
    soonest_booking: Block | None


class CourseRef(BaseModel):
    code: str
    name: str


class RoomRef(BaseModel):
    name: str


class Entry(BaseModel):
    course: CourseRef | None = None
    name: str | None = Field(default=None, description="An event's name.")
    start_datetime: str
    end_datetime: str
    label: str
    rooms: list[RoomRef] | None = None


class FlepRoomDetail(FlepRoom):
    link: str | None
    capacity: int | None
    level: int | None
    schedules: list[Entry]


class CourseItem(BaseModel):
    id: str = Field(alias="_id")
    name: str
    code: str
    credits: int
    semesterType: str


class Teacher(BaseModel):
    name: str
    people_url: str


class UnitOut(BaseModel):
    name: str
    section: str
    code: str
    promo: str | None


class SemesterOut(BaseModel):
    name: str
    type: str
    skip_dates: list[str] | None = None


class StudyPlanOut(BaseModel):
    id: str = Field(alias="_id")
    unit: UnitOut
    semester: SemesterOut


class CourseDetailOut(BaseModel):
    name: str
    code: str
    credits: int
    edu_url: str
    language: str | None
    teachers: list[Teacher]
    schedules: list[Entry]
    studyplans: list[StudyPlanOut]


class PlannedCourse(BaseModel):
    name: str
    code: str
    credits: int
    edu_url: str
    language: str | None
    available: bool
    teachers: list[Teacher]


class StudyPlanDetailOut(StudyPlanOut):
    schedules: list[Entry]
    courses: list[PlannedCourse]


class SelectionItem(BaseModel):
    start: str
    end: str


class Coordinates(BaseModel):
    latitude: float
    longitude: float


class FindFreeRoomsBody(BaseModel):
    selection: list[SelectionItem]
    coordinates: Coordinates | None = None


class FindSoonestBody(BaseModel):
    after_date: str
