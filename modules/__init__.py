"""LightningModules named in recipes as `modules.<Name>`."""

from modules.qlora_causal_lm import QLoRACausalLM

__all__ = ["QLoRACausalLM"]
