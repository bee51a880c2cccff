"""The Query Lab: every example of the guide, run on the live data, with its SQL and cost."""
