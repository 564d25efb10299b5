"""Widgets of the branch screen: each one draws a part of the day's state.

Widgets render what the engine holds; they never decide anything. Interactive
widgets post past-tense messages (``TicketToggled``, ``ErrorSelected``) and the
screen asks the engine.
"""
