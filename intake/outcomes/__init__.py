"""Outcomes over a course: the measures (pain, activities, change), the soreness course after each
session, the pictures that draw them, and the clinic's aggregate outcomes."""
