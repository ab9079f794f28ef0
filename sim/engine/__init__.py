"""The engine: the agents, the processes of the schedule, and the model that steps them."""
