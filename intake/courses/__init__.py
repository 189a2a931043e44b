"""Courses of care: a patient's sessions for one complaint, the follow-up questions, discharge."""
