"""The Occupancy FLEP API (antoninfaure/occupancy-epfl), at its own /api/... paths.

Its paths (`/api/courses`, `/api/studyplans`, `/api/rooms`) do not collide with Occupi's
`/api/...` routes, so both share the root; a clash fails when the routes are built.
Public like the original (OCCUPI_TIMETABLE_REQUIRES_SIGN_IN can require a sign-in).
"""

from __future__ import annotations

from rest_compat.flep import envelopes, models
from rest_compat.flep.courses import course, courses, study_plan, study_plans
from rest_compat.flep.rooms import find_free_rooms, find_soonest_bookings, room, rooms
from rest_compat.routing import Api, Endpoint, Reply

TAGS = ("FLEP",)


def fails(description: str) -> Reply:
    return Reply(envelopes.FlepError, description)


BAD = fails(
    "A malformed body: `Missing selection`, `Selection must be an array`, … (see "
    "docs/rest-compat.md)."
)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/api/rooms",
        rooms,
        summary="All rooms",
        responses={200: Reply(list[models.FlepRoom], "Every available room.")},
        tags=TAGS,
    ),
    Endpoint(
        "POST",
        "/api/rooms/find_free_rooms",
        find_free_rooms,
        summary="Rooms free in every selected slot",
        responses={
            200: Reply(list[models.FreeRoomOut], "Body: " + models.FindFreeRoomsBody.__name__),
            400: BAD,
        },
        tags=TAGS,
    ),
    Endpoint(
        "POST",
        "/api/rooms/find_soonest_bookings",
        find_soonest_bookings,
        summary="Each room's current or next block of bookings",
        responses={
            200: Reply(list[models.SoonestOut], "Body: " + models.FindSoonestBody.__name__),
            400: fails("`Missing after_date` or `Invalid after_date`."),
        },
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/rooms/{name:str}",
        room,
        summary="A room and its timetable",
        responses={200: Reply(models.FlepRoomDetail, "The room."), 404: fails("`Room not found`.")},
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/courses",
        courses,
        summary="All courses",
        responses={200: Reply(list[models.CourseItem], "Courses in study plans.")},
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/courses/{code:str}",
        course,
        summary="A course",
        responses={
            200: Reply(models.CourseDetailOut, "The course."),
            404: fails("`Course not found`."),
        },
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/studyplans",
        study_plans,
        summary="Current study plans",
        responses={200: Reply(list[models.StudyPlanOut], "Plans not over yet.")},
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/studyplans/{id:str}",
        study_plan,
        summary="A study plan",
        responses={
            200: Reply(models.StudyPlanDetailOut, "The study plan."),
            404: fails("`Studyplan not found`."),
        },
        tags=TAGS,
    ),
)

API = Api(
    name="FLEP",
    description="Courses, study plans, timetabled rooms, free-room search, soonest bookings.",
    prefix="",
    endpoints=ENDPOINTS,
    failure=envelopes.failure,
    internal_error=envelopes.internal_error,
    bad_input=fails("Bad input (a control character, an overlong value): the message says which."),
)
