"""VNish (AnthillOS web UI): a REST API on port 80 with tuned presets, bmminer replies on 4028."""
