"""Talk to a trained model: `slm chat` in the terminal, `slm predict` over a JSONL of questions.

Both render prompts with the training tokenizer's chat template and the recipe's system prompt,
and generate with the recipe's `generation:` settings, so they answer as evaluation scored.
"""
