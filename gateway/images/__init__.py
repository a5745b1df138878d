"""Profile and room images: processing with Pillow, storage adapters and HTTP routes."""
