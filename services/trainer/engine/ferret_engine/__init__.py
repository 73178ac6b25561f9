"""Ferret's training engine: trains bi-encoders and cross-encoders from a job file, writes a Ferret model dir.

Run as ``python -m ferret_engine <job.json>``; see README.md for the job-file and training-set formats.
"""

__version__ = "0.1.0"
