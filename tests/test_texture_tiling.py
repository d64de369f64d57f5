"""Circular padding per axis on Conv2d layers, including LoRA-patched ones (PEFT and diffusers' LoRACompatibleConv)
and the VAE encoder's self-padding downsamplers."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

from gamegen.ml.tiling import circular_padding  # noqa: E402

SHIFT = 3


def _net() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.SiLU(),
        torch.nn.Conv2d(8, 8, 5, padding=2),
        torch.nn.SiLU(),
        torch.nn.Conv2d(8, 3, 1),
    ).eval()


def _roll_errors(model: torch.nn.Module, x: torch.Tensor) -> tuple[float, float]:
    """How far ``model`` is from commuting with a roll along x (width) and along y (height)."""
    with torch.no_grad():
        y = model(x)
        ex = (model(torch.roll(x, SHIFT, 3)) - torch.roll(y, SHIFT, 3)).abs().max().item()
        ey = (model(torch.roll(x, SHIFT, 2)) - torch.roll(y, SHIFT, 2)).abs().max().item()
    return ex, ey


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(1, 3, 12, 16, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize(("axes", "wraps_x", "wraps_y"), [("x", True, False), ("y", False, True), ("xy", True, True)])
def test_each_axis_wraps_on_its_own(x, axes, wraps_x, wraps_y):
    net = _net()
    with circular_padding([net], axes) as patched:
        ex, ey = _roll_errors(net, x)
    assert patched == 2  # the 1×1 conv has no padding to change
    assert (ex < 1e-5) == wraps_x and (ey < 1e-5) == wraps_y


def test_padding_and_outputs_are_restored(x):
    net = _net()
    with torch.no_grad():
        before = net(x)
    saved = [(m.padding, m.padding_mode) for m in net if isinstance(m, torch.nn.Conv2d)]
    with circular_padding([net], "xy"):
        pass
    with pytest.raises(RuntimeError, match="boom"), circular_padding([net], "x"):
        raise RuntimeError("boom")
    assert [(m.padding, m.padding_mode) for m in net if isinstance(m, torch.nn.Conv2d)] == saved
    assert all(not m._forward_pre_hooks for m in net.modules())
    with torch.no_grad():
        assert torch.equal(net(x), before)
    with circular_padding([net], "none") as patched:
        assert patched == 0


def test_bad_axes_are_refused():
    with pytest.raises(ValueError, match="tiling axes='z'"), circular_padding([_net()], "z"):
        pass


def test_peft_lora_convolutions_tile(x):
    from peft import LoraConfig, inject_adapter_in_model

    net = inject_adapter_in_model(LoraConfig(r=2, target_modules=["0", "2"], init_lora_weights="gaussian"), _net())
    for name, m in net.named_modules():
        if "lora_B" in name and isinstance(m, torch.nn.Conv2d):
            torch.nn.init.normal_(m.weight)  # a trained adapter: the low-rank branch changes the output
    with circular_padding([net], "xy"):
        ex, ey = _roll_errors(net, x)
    assert ex < 1e-5 and ey < 1e-5
    assert min(_roll_errors(net, x)) > 1e-3  # and zero padding again afterwards


def test_diffusers_lora_compatible_conv_tiles(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from diffusers.models.lora import LoRACompatibleConv, LoRAConv2dLayer

        torch.manual_seed(0)
        conv = LoRACompatibleConv(3, 4, 3, padding=1)
        conv.set_lora_layer(LoRAConv2dLayer(3, 4, rank=2, kernel_size=3, padding=1))
    torch.nn.init.normal_(conv.lora_layer.up.weight)
    with circular_padding([conv], "x") as patched:
        ex, ey = _roll_errors(conv, x)
        assert conv.padding == conv.lora_layer.down.padding == (1, 0)  # x arrives wrapped; y stays zero-padded
    assert patched == 1 and ex < 1e-5 and ey > 1e-3
    assert conv.padding == conv.lora_layer.down.padding == (1, 1)


@pytest.mark.parametrize("lora", [False, True])
def test_a_downsampler_that_pads_itself_wraps_too(x, lora):
    """diffusers' Downsample2D(padding=0) (the VAE encoder's) zero-pads a trailing row and column before its conv."""
    from diffusers.models.downsampling import Downsample2D
    from peft import LoraConfig, inject_adapter_in_model

    torch.manual_seed(0)
    down = Downsample2D(3, use_conv=True, out_channels=4, padding=0, name="op").eval()  # as in the VAE encoder
    if lora:
        config = LoraConfig(r=2, target_modules=["conv"], init_lora_weights="gaussian")
        down = inject_adapter_in_model(config, down)
        torch.nn.init.normal_(down.conv.lora_B["default"].weight)

    def error(dim: int) -> float:
        """How far the stride-2 conv is from commuting with a roll by 2 input (1 output) pixels along ``dim``."""
        with torch.no_grad():
            return (down(torch.roll(x, 2, dim)) - torch.roll(down(x), 1, dim)).abs().max().item()

    with circular_padding([down], "x") as patched:
        ex, ey = error(3), error(2)
    assert patched == (2 if lora else 1)  # the base conv and LoRA's A; B is 1×1 and sees A's output
    assert ex < 1e-5 and ey > 1e-3
    assert error(3) > 1e-3
