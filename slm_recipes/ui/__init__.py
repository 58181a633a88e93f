"""`slm ui`: the whole pipeline from a browser (Gradio), each button running the same code as the CLI."""
