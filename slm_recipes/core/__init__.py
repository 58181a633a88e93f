"""The kernel: errors, atomic writers, the record reader, run paths and locks, progress, devices.

Nothing here imports another part of the project, so every layer may use it.
"""
