"""LightningDataModules named in recipes as `datamodules.<Name>`."""

from datamodules.distilled_qa import DistilledQADataModule

__all__ = ["DistilledQADataModule"]
