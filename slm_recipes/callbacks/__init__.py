"""Side jobs of a run, named in recipes as `slm_recipes.callbacks.<Name>`."""

from slm_recipes.callbacks.adapter_export import SaveAdapter
from slm_recipes.callbacks.model_export import GGUFExport, MergeAdapter
from slm_recipes.callbacks.qa_evaluation import QAEvaluation
from slm_recipes.callbacks.token_throughput import TokenThroughput

__all__ = ["GGUFExport", "MergeAdapter", "QAEvaluation", "SaveAdapter", "TokenThroughput"]
