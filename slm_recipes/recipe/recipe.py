"""The recipe as one typed, frozen object: what every `slm` command reads.

`slm fit` and `slm validate` build it from LightningCLI's parse; every other command from the same merged
recipe without Lightning (`recipe.parser.load_recipe`). The sections hold what the recipe says; where the run's
files go is `paths` (`RunPaths`), from the recipe's name, model and placements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate.config import CurateConfig
from slm_recipes.datamodules.config import DataConfig
from slm_recipes.distill.config import DistillConfig
from slm_recipes.evaluation.config import EvaluationConfig
from slm_recipes.export.config import ExportConfig
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.serve.config import ServeConfig
from slm_recipes.text.lexicon import DEFAULT_LEXICON
from slm_recipes.ui.config import UIConfig

#: Recipe section -> its settings class (each a frozen dataclass that checks itself).
SECTIONS: dict[str, type] = {"ingest": IngestConfig, "distill": DistillConfig, "curate": CurateConfig,
                             "generation": GenerationSettings, "export": ExportConfig, "evaluation": EvaluationConfig,
                             "retrieval": RetrievalConfig, "serve": ServeConfig,
                             "ui": UIConfig}
SIZE_HINT = "add a model-size recipe, e.g. --config recipes/models/qwen2.5-0.5b.yaml"


@dataclass(frozen=True)
class Recipe:
    """A parsed recipe: the run's name and model, its paths, and every section's settings."""

    name: str
    model_name: str
    #: The lexicon file (or bundled lexicon) the extractive teacher and the metrics read.
    lexicon: str
    paths: RunPaths
    ingest: IngestConfig
    distill: DistillConfig
    curate: CurateConfig
    generation: GenerationSettings
    export: ExportConfig
    evaluation: EvaluationConfig
    retrieval: RetrievalConfig
    serve: ServeConfig
    ui: UIConfig
    #: The DataModule's arguments (`data.init_args`; the model name is `model_name`).
    data: DataConfig
    #: The recipe files it came from, base first.
    files: tuple[str, ...] = ()

    @property
    def system_prompt(self) -> str | None:
        return self.data.system_prompt

    @property
    def eval_file(self) -> str | None:
        return self.data.eval_file

    @property
    def makes_its_dataset(self) -> bool:
        """No training file named and documents to read: the run makes its own dataset (ingest → distill → curate)."""
        return not self.data.train_file and bool(self.ingest.sources)

    @property
    def train_file(self) -> str | None:
        return str(self.paths.split("train")) if self.makes_its_dataset else self.data.train_file

    @property
    def val_file(self) -> str | None:
        return str(self.paths.split("val")) if self.makes_its_dataset else self.data.val_file

    @property
    def open_book(self) -> bool:
        """The model was trained to read passages (`data.init_args.context` gold or raft): answers retrieve."""
        return self.data.open_book


def section(name: str, values: Mapping[str, Any] | None) -> Any:
    """One section's settings from its parsed values (unknown keys were refused by the parser)."""
    cls = SECTIONS[name]
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in dict(values or {}).items() if k in known})


def build_recipe(name: str, model_name: Any, data: DataConfig, sections: Mapping[str, Any],
                 files: tuple[str, ...] = (), lexicon: str = DEFAULT_LEXICON) -> Recipe:
    """The Recipe from the parsed sections; where the run's files go is `RunPaths`, from the placements they set."""
    if not model_name:
        raise RecipeError(f"the recipe does not set required key 'model_name' in model ({SIZE_HINT})")
    ingest, distill, curate = (sections[k] for k in ("ingest", "distill", "curate"))
    paths = RunPaths(name=name, model_name=str(model_name), export_folder=sections["export"].output_dir,
                     chunks_file=ingest.output, distilled_file=distill.output, dataset_folder=curate.output_dir,
                     distill_cache_folder=distill.cache_dir, review_folder=curate.review_dir,
                     decisions_placed=curate.review_file, index_folder=sections["retrieval"].index,
                     documents_folder=sections["ui"].documents_dir)
    return Recipe(name=name, model_name=str(model_name), lexicon=lexicon, paths=paths, data=data, files=files,
                  **{key: sections[key] for key in SECTIONS})
