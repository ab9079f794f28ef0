"""Composing configs fast: each distinct choice of config groups composed once by Hydra, and a
point's values applied to a copy the way Hydra applies them.

A composition costs a few tenths of a second (the defaults list, every file merged, Hydra's
own config), and a sweep asks for one per point twice: `sim.preflight` composes every point
to check it before anything runs, and Hydra's launcher composes each point again as it runs
it. Points of a sweep usually differ only in values (`seed=1,2,3`,
`scenario.forces.threat_weight=0.2,0.3`), which change no defaults list, so both compose
once per choice of groups (`scenario=...`, `hydra/launcher=...`) and apply the values to a
copy; tests/test_composing.py checks the result equals Hydra's own for runs and sweeps.
"""

from __future__ import annotations

import copy
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from sim.errors import InputError
from sim.scenario.library import explain


def parse(overrides: list[str]):
    """The command line's overrides parsed by Hydra; InputError in one line if one cannot be."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except HydraException as error:
        raise InputError(explain(error, None)) from None


def config_groups(config_dir: Path) -> set[str]:
    """The config groups of a config folder, and `scenario` (the ConfigStore's group)."""
    return {p.name for p in Path(config_dir).iterdir() if p.is_dir()} | {"scenario"}


def is_group(override, groups: set[str]) -> bool:
    """Whether an override chooses a config (changes the defaults list) rather than a value."""
    key = override.key_or_group
    return "/" in key or key in groups


def apply_values(cfg: DictConfig, values) -> DictConfig:
    """`cfg` with the parsed value overrides applied, as Hydra applies them after composing."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
    return cfg


class Composer:
    """Composes the config of each point of a command line (inside Hydra's `initialize_...`),
    each distinct choice of groups once."""

    def __init__(self, config_dir: Path, config_name: str):
        self.config_name = config_name
        self.groups = config_groups(config_dir)
        self.bases: dict[tuple[str, ...], DictConfig] = {}

    def compose(self, overrides: list[str], hydra: bool = False) -> DictConfig:
        from hydra import compose

        return compose(config_name=self.config_name, overrides=overrides,
                       return_hydra_config=hydra)

    def point(self, overrides: list[str]) -> DictConfig:
        parsed = parse(overrides)
        groups = tuple(o.input_line for o in parsed if is_group(o, self.groups))
        if groups not in self.bases:
            self.bases[groups] = self.compose(list(groups))
        values = [o for o in parsed if not is_group(o, self.groups)]
        return apply_values(copy.deepcopy(self.bases[groups]), values)


def trust_checked_points() -> None:
    """Let Hydra's sweeper skip composing every point before it launches the batch.

    `Sweeper.validate_batch_is_legal` composes each point once more only to fail early, which
    `sim.preflight.make_plan` has just done (every point composed and checked). Hydra offers
    no setting for it, and a sweeper of our own would have to live in a top-level
    `hydra_plugins` package, so the check is replaced in this process only, after ours ran.
    """
    from hydra.plugins.sweeper import Sweeper

    Sweeper.validate_batch_is_legal = lambda self, batch: None


def compose_sweep_points_once_per_groups(config_dir: Path) -> None:
    """Make Hydra's launcher compose a point as `Composer` does: once per choice of groups.

    The launcher calls `ConfigLoaderImpl.load_sweep_config` for each point it runs, a whole
    composition each time. In this process (the basic launcher; a launcher that runs points
    in other processes keeps Hydra's own), it is replaced by one that composes the point's
    group choices through Hydra's own once, then applies the point's values to a copy and
    records them as Hydra does: in `hydra.overrides.task`, in order, and in
    `hydra.job.override_dirname`. A point that overrides Hydra's own config is composed by
    Hydra in full.
    """
    from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname

    hydras = getattr(ConfigLoaderImpl.load_sweep_config, "hydras", None) \
        or ConfigLoaderImpl.load_sweep_config
    groups = config_groups(config_dir)
    bases: dict[tuple, DictConfig] = {}   # a new cache for each sweep this process launches

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]):
        parsed = parse(list(sweep_overrides))
        if any(o.is_hydra_override() for o in parsed):
            return hydras(self, master_config, sweep_overrides)
        chosen = tuple(o.input_line for o in parsed if is_group(o, groups))
        key = (master_config.hydra.job.config_name,
               tuple(master_config.hydra.overrides.hydra), chosen)
        if key not in bases:
            bases[key] = hydras(self, master_config, list(chosen))
        cfg = apply_values(copy.deepcopy(bases[key]),
                           [o for o in parsed if not is_group(o, groups)])
        cfg.hydra.overrides.task = [o.input_line for o in parsed]
        naming = cfg.hydra.job.config.override_dirname
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=parsed, exclude_keys=list(naming.exclude_keys),
            item_sep=naming.item_sep, kv_sep=naming.kv_sep)
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg

    load_sweep_config.hydras = hydras
    ConfigLoaderImpl.load_sweep_config = load_sweep_config
