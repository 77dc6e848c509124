"""Model folders and the pretrained encoders the models are built on.

`stance.models.folder` finds a model folder and reads and writes everything in it (the one
``stance_config.json`` schema, verified weights, partial weights over a packaged encoder) for
every model of the package; `stance.models.encoders` lists the packaged encoders (and assembles
a split one into the cache); `stance.models.lora` adds, stores and merges LoRA adapters.
"""
