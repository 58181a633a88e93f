"""The `slm` command line: LightningCLI for fit and validate, one typed function for every other command."""
