import pytest
import torch

from stance.devices import TOKEN_BUCKET, bucketed


@pytest.mark.parametrize(
    ("rows", "tokens", "expected"),
    [(1, 1, (1, TOKEN_BUCKET)), (3, 17, (4, 32)), (32, 32, (32, 32)), (5, 150, (8, 160)), (17, 159, (32, 160))],
)
def test_devices_bucketed_pads_rows_to_a_power_of_two_and_tokens_to_the_bucket(rows, tokens, expected):
    ids = torch.arange(1, rows * tokens + 1).view(rows, tokens)
    mask = torch.ones(rows, tokens, dtype=torch.long)
    padded = bucketed({"input_ids": ids, "attention_mask": mask}, {"input_ids": -1}, most_tokens=160)

    assert padded["input_ids"].shape == padded["attention_mask"].shape == expected
    assert torch.equal(padded["input_ids"][:rows, :tokens], ids)
    assert int(padded["attention_mask"].sum()) == rows * tokens  # the padding is masked out
    pad = expected[0] * expected[1] - rows * tokens
    assert int((padded["input_ids"] == -1).sum()) == pad


def test_devices_bucketed_scores_do_not_depend_on_the_padding(tiny_stance_dir):
    """float32 scores of a statement alone equal its scores in a padded batch of others."""
    from stance.classify import load_model
    from stance.records import StanceInput

    model = load_model(str(tiny_stance_dir), device="cpu", precision="fp32")
    words = ["support the border plan", "we oppose the raids on families and workers", "no comment"]
    inputs = [StanceInput("immigration", " ".join(words[: 1 + n % 3]) * (1 + n)) for n in range(7)]
    together = model.predict_proba(inputs, batch_size=32)
    alone = [model.predict_proba([item])[0] for item in inputs]
    for a, b in zip(together, alone):
        assert a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-5 for k in a)
