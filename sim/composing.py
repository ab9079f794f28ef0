"""Composing configs fast: each distinct choice of config groups composed once by Hydra, and a
point's values applied to a copy the way Hydra applies them.

A composition costs a few tenths of a second (the defaults list, every file merged, Hydra's
own config), and a sweep asks for one per point twice: `sim.preflight` composes every point
to check it before anything runs, and Hydra's launcher composes each point again as it runs
it. Points of a sweep usually differ only in values (`seed=1,2,3`,
`scenario.forces.threat_weight=0.2,0.3`), which change no defaults list, so both compose
once per choice of groups (`scenario=...`) and apply the values to a copy: `Composer` for the
checks, `PointLoader` for the launcher. tests/test_composing.py checks the result equals
Hydra's own.
"""

from __future__ import annotations

import copy

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.errors import InputError
from sim.scenario.explain import explain


def parse(overrides: list[str]):
    """The command line's overrides parsed by Hydra; InputError in one line if one cannot be."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except HydraException as error:
        raise InputError(explain(error, None)) from None


def split_choices(parsed, loader: ConfigLoaderImpl) -> tuple[tuple[str, ...], list]:
    """The overrides that choose a config (change the defaults list), as written, and those
    that set a value, by the config groups the loader's repository knows."""
    choices, values = [], []
    for override in parsed:
        key = override.key_or_group
        if "/" in key or loader.repository.group_exists(key):
            choices.append(override.input_line)
        else:
            values.append(override)
    return tuple(choices), values


def apply_values(cfg: DictConfig, values) -> DictConfig:
    """`cfg` with the parsed value overrides applied, as Hydra applies them after composing."""
    ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
    return cfg


class Composer:
    """Composes the config of each point of a command line, each distinct choice of groups
    once; used inside Hydra's `initialize_config_dir`."""

    def __init__(self, config_name: str):
        from hydra.core.global_hydra import GlobalHydra

        self.config_name = config_name
        self.loader = GlobalHydra.instance().config_loader()
        self.bases: dict[tuple[str, ...], DictConfig] = {}

    def compose(self, overrides: list[str], hydra: bool = False) -> DictConfig:
        from hydra import compose

        return compose(config_name=self.config_name, overrides=overrides,
                       return_hydra_config=hydra)

    def point(self, overrides: list[str]) -> DictConfig:
        groups, values = split_choices(parse(overrides), self.loader)
        if groups not in self.bases:
            self.bases[groups] = self.compose(list(groups))
        return apply_values(copy.deepcopy(self.bases[groups]), values)


_bases: dict[tuple, DictConfig] = {}
"""A process's sweep points composed by Hydra, by what they were composed from."""
KEPT_BASES = 8


class PointLoader(ConfigLoaderImpl):
    """Hydra's config loader, composing each point of a sweep once per choice of groups.

    `load_sweep_config`, which Hydra's launchers call for each point they run (in the sweep's
    process or in a worker), composes the point's group choices through Hydra's own once per
    process, applies the point's values to a copy, and records them as Hydra does: in
    `hydra.overrides.task`, in order, and in `hydra.job.override_dirname`. A point that
    overrides Hydra's own config is composed by Hydra in full.
    """

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]):
        parsed = parse(list(sweep_overrides))
        if any(o.is_hydra_override() for o in parsed):
            return super().load_sweep_config(master_config, sweep_overrides)
        chosen, values = split_choices(parsed, self)
        key = (tuple(p.path for p in self.config_search_path.get_path()),
               master_config.hydra.job.config_name,
               tuple(master_config.hydra.overrides.hydra), chosen)
        if key not in _bases:
            if len(_bases) >= KEPT_BASES:
                _bases.clear()
            _bases[key] = super().load_sweep_config(master_config, list(chosen))
        cfg = apply_values(copy.deepcopy(_bases[key]), values)
        cfg.hydra.overrides.task = [o.input_line for o in parsed]
        naming = cfg.hydra.job.config.override_dirname
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=parsed, exclude_keys=list(naming.exclude_keys),
            item_sep=naming.item_sep, kv_sep=naming.kv_sep)
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg


class ComposePointsOnce(Callback):
    """A Hydra callback (configs/config.yaml, `hydra.callbacks`): when a multirun starts, its
    config loader becomes a `PointLoader`; the launcher hands that loader to the processes
    that run the points, so they compose as it does."""

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from hydra.core.global_hydra import GlobalHydra

        loader = GlobalHydra.instance().config_loader()
        if type(loader) is ConfigLoaderImpl:
            loader.__class__ = PointLoader


def trust_checked_points() -> None:
    """Let Hydra's sweeper skip composing every point before it launches the batch.

    `Sweeper.validate_batch_is_legal` composes each point once more only to fail early, which
    `sim.preflight.make_plan` has just done (every point composed and checked). Hydra offers
    no setting for it, and a sweeper of our own would have to live in a top-level
    `hydra_plugins` package, so the check is replaced in this process only, after ours ran.
    """
    from hydra.plugins.sweeper import Sweeper

    Sweeper.validate_batch_is_legal = lambda self, batch: None
