"""The processes of the schedule, one module each (docs/MODEL.md, sections 1.3 and 3.3)."""
