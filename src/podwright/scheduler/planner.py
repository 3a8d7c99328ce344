"""What a backlog costs: serverless (per second, a cold start per session) vs dedicated (hourly, setup).

Prices come from the dated table ``podwright/data/prices.toml``; a producer's own file is merged over
it. The arithmetic is deliberately plain so a hand calculation can check it (the tests do):

* serverless $ = per_s × (Σ render s + sessions × (cold start + keep-alive))
* dedicated $ = per_h ÷ 3600 × machines × (setup + Σ render s ÷ machines)
* break-even utilization = per_h ÷ (3600 × per_s): a machine busier than this share of the time is
  cheaper rented by the hour; below it, per-second billing wins.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from podwright.core import ConfigError

__all__ = [
    "DEFAULT_SERVERLESS_GPU",
    "GpuPrice",
    "PlanCost",
    "PriceTable",
    "plan_costs",
    "render_cost",
    "serverless_batch_size",
    "serverless_keep_alive",
]


@dataclass(frozen=True, slots=True)
class GpuPrice:
    """Prices and start-up times of one GPU kind."""

    name: str
    serverless_per_s: float
    dedicated_per_h: float
    cold_start_s: float
    setup_s: float


@dataclass(frozen=True, slots=True)
class PriceTable:
    """A dated price table: where the figures come from, and one :class:`GpuPrice` per GPU kind."""

    as_of: str
    label: str
    sources: tuple[str, ...]
    gpus: Mapping[str, GpuPrice]

    @classmethod
    def default(cls) -> PriceTable:
        """The table shipped with podwright."""
        text = files("podwright").joinpath("data/prices.toml").read_text(encoding="utf-8")
        return cls.from_toml(text, origin="podwright/data/prices.toml")

    @classmethod
    def load(cls, override: Path | None = None) -> PriceTable:
        """The shipped table, with ``override`` (a producer's own TOML file) merged over it."""
        table = cls.default()
        if override is None:
            return table
        try:
            text = override.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"price file {override} cannot be read ({exc})", hint="check the path") from exc
        return table.merged(cls.from_toml(text, origin=str(override), partial=True))

    @classmethod
    def from_toml(cls, text: str, *, origin: str, partial: bool = False) -> PriceTable:
        """Parse a price file; ``partial`` allows GPU entries that set only some fields."""
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{origin}: not valid TOML ({exc})", hint="fix the syntax") from exc
        meta: dict[str, Any] = raw.get("meta", {})
        gpus: dict[str, GpuPrice] = {}
        for name, entry in raw.get("gpus", {}).items():
            gpus[name] = _gpu(name, entry, origin=origin, partial=partial)
        sources = tuple(str(meta[k]) for k in ("serverless_source", "dedicated_source") if k in meta)
        return cls(
            as_of=str(meta.get("as_of", "")), label=str(meta.get("label", "")), sources=sources, gpus=gpus
        )

    def merged(self, other: PriceTable) -> PriceTable:
        """This table with ``other``'s entries (and fields, for partial entries) laid over it."""
        gpus = dict(self.gpus)
        for name, price in other.gpus.items():
            base = gpus.get(name)
            if base is None:
                if any(v < 0 for v in _fields(price).values()):
                    raise ConfigError(
                        f"new GPU {name!r} in a price file needs all of {', '.join(_PRICE_FIELDS)}",
                        hint="copy a full [gpus.X] entry from podwright/data/prices.toml and edit it",
                    )
                gpus[name] = price
                continue
            merged = {k: (v if v >= 0 else getattr(base, k)) for k, v in _fields(price).items()}
            gpus[name] = GpuPrice(name=name, **merged)
        return PriceTable(
            as_of=other.as_of or self.as_of,
            label=other.label or self.label,
            sources=other.sources or self.sources,
            gpus=gpus,
        )

    def gpu(self, name: str) -> GpuPrice:
        """The prices of GPU ``name``; a :class:`ConfigError` naming the known ones otherwise."""
        try:
            return self.gpus[name]
        except KeyError:
            raise ConfigError(
                f"no price for GPU {name!r}",
                hint=f"pick one of {', '.join(sorted(self.gpus))}, or add it to your own price file",
            ) from None


_PRICE_FIELDS = ("serverless_per_s", "dedicated_per_h", "cold_start_s", "setup_s")


def _gpu(name: str, entry: Any, *, origin: str, partial: bool) -> GpuPrice:
    if not isinstance(entry, dict):
        raise ConfigError(f"{origin}: gpus.{name} must be a table", hint="see podwright/data/prices.toml")
    values: dict[str, float] = {}
    for key in _PRICE_FIELDS:
        value = entry.get(key)
        if value is None and partial:
            values[key] = -1.0  # "not set": merged() keeps the base value
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(
                f"{origin}: gpus.{name}.{key} must be a non-negative number",
                hint="e.g. serverless_per_s = 0.0007",
            )
        values[key] = float(value)
    return GpuPrice(name=name, **values)


def _fields(price: GpuPrice) -> dict[str, float]:
    return {key: float(getattr(price, key)) for key in _PRICE_FIELDS}


@dataclass(frozen=True, slots=True)
class PlanCost:
    """Serverless vs dedicated cost of one backlog on one GPU kind."""

    gpu: str
    render_s: float
    """Σ estimated render seconds of the backlog."""
    serverless_billed_s: float
    serverless_usd: float
    dedicated_billed_s: float
    """Machine-seconds rented: machines × (setup + their share of the work)."""
    dedicated_usd: float
    break_even_utilization: float | None
    """Busy share above which dedicated is cheaper; ``None`` when serverless costs nothing per second."""

    @property
    def cheaper(self) -> str:
        """``serverless`` or ``dedicated`` for this backlog (ties go to serverless: nothing to run)."""
        return "dedicated" if self.dedicated_usd < self.serverless_usd else "serverless"

    @property
    def break_even_busy_hours_per_day(self) -> float | None:
        """The same break-even, as busy hours a day of a machine kept on around the clock."""
        u = self.break_even_utilization
        return None if u is None else 24.0 * u


def plan_costs(
    render_s: Sequence[float],
    gpu: GpuPrice,
    *,
    machines: int = 1,
    sessions: int | None = None,
    keep_alive_s: float = 60.0,
) -> PlanCost:
    """Cost of rendering a backlog of episodes (``render_s`` each) on ``gpu``.

    ``sessions`` is the number of serverless sessions (cold starts); by default one per machine, as
    for a staged backlog rendered back to back.
    """
    if machines < 1:
        raise ConfigError("machines must be at least 1", hint="pass --machines 1 or more")
    total = float(sum(render_s))
    session_count = machines if sessions is None else sessions
    serverless_s = total + session_count * (gpu.cold_start_s + keep_alive_s) if total > 0 else 0.0
    dedicated_s = machines * gpu.setup_s + total if total > 0 else 0.0
    per_h_as_s = gpu.dedicated_per_h / 3600.0
    return PlanCost(
        gpu=gpu.name,
        render_s=total,
        serverless_billed_s=serverless_s,
        serverless_usd=serverless_s * gpu.serverless_per_s,
        dedicated_billed_s=dedicated_s,
        dedicated_usd=dedicated_s * per_h_as_s,
        break_even_utilization=per_h_as_s / gpu.serverless_per_s if gpu.serverless_per_s > 0 else None,
    )


def render_cost(compute_s: float, device: str, table: PriceTable | None = None) -> float | None:
    """What ``compute_s`` engine seconds on ``device`` cost at its serverless per-second price.

    ``cpu`` (this machine) costs a known $0; a device the price table lacks is unknown (``None``).
    """
    prices = table or PriceTable.default()
    if device not in prices.gpus:
        return None
    return compute_s * prices.gpu(device).serverless_per_s


#: The GPU a serverless render uses when neither the show nor the command names one: the A100 the
#: production figures (20-minute episodes, 18 of them in speech) were measured on.
DEFAULT_SERVERLESS_GPU = "A100-80GB"


def serverless_keep_alive(gpu: GpuPrice) -> float:
    """Default keep-alive after a batch: as long as a cold start (the ski-rental rule).

    Waiting that long for more work costs at most what one more cold start would, so the worst case
    is never worse than twice the best; a dispatcher that knows nothing more is coming can go lower.
    """
    return gpu.cold_start_s


def serverless_batch_size(
    render_s: Sequence[float], gpu: GpuPrice, *, keep_alive_s: float, overhead_share: float = 0.1
) -> int:
    """Episodes per warm container so its cold start and keep-alive stay under ``overhead_share`` of its bill.

    A container that renders R seconds bills R + cold start + keep-alive; keeping the overhead under
    the share needs R ≥ (cold start + keep-alive) × (1 − share) ÷ share, in episodes of the
    backlog's mean length. Fewer containers would only lengthen the makespan, so no more than that.
    """
    if not render_s:
        return 1
    mean = sum(render_s) / len(render_s)
    overhead = gpu.cold_start_s + keep_alive_s
    if mean <= 0 or overhead <= 0:
        return len(render_s)
    needed = overhead * (1.0 - overhead_share) / overhead_share
    return max(1, min(len(render_s), math.ceil(needed / mean)))
