"""The commands that describe what is loaded: ``rules``, ``explain``, ``techniques [show]``,
``sources``, ``vocabulary``, ``schema`` and ``config``."""

from __future__ import annotations

import os
from typing import Any

import click

from mesosim.cli._common import FILE, _check_output, _emit, _host, _load_config, config_option


@click.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.pass_context
def rules(ctx: click.Context, fmt: str) -> None:
    """List every rule: code, kind, default severity, summary."""
    catalog = _host(ctx).catalog
    if fmt == "json":
        import json

        click.echo(json.dumps({"version": 1, "rules": [
            {"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity,
             "summary": r.summary, "explanation": r.explanation, "origin": r.origin}
            for r in sorted(catalog.rules.values(), key=lambda r: r.code)]}, indent=2,
            ensure_ascii=False))
        return
    for r in sorted(catalog.rules.values(), key=lambda r: r.code):
        origin = "" if r.origin == "core" else f"  (plugin {r.origin})"
        click.echo(f"{r.code}  {r.kind:<18} {r.severity:<8} {r.summary}{origin}")


@click.command()
@click.argument("code")
@config_option
@click.pass_context
def explain(ctx: click.Context, code: str) -> None:
    """Explain one rule, with the techniques' figures and sources it applies; where the
    configuration in force changes the rule's severity, ignores it or overrides a figure, it
    says so and names the file and line."""
    from mesosim.describe import explain_rule

    config = _load_config(ctx, (".",))
    catalog = _host(ctx).catalog
    code = code.upper()
    text = explain_rule(catalog, code, _in_force(config, code))
    if text is None:
        from mesosim._text import did_you_mean

        hint = did_you_mean(code, catalog.rules)
        raise click.BadParameter(f"no rule '{code}'" + (f"; did you mean {hint}?" if hint else
                                                        "; see 'mesosim rules'"),
                                 param_hint="CODE")
    click.echo(text)


def _in_force(config: Any, code: str) -> list[str]:
    """What the configuration does to rule ``code``, each with its file and line."""
    if config is None:
        return []
    o, origins = config.options, config.origins
    out = []
    if code in o.severity:
        out.append(f"severity {o.severity[code]}, set by "
                   f"{origins.get(f'severity.{code}', config.path)}")
    if o.select and not any(code.startswith(c) for c in o.select):
        out.append(f"not reported: 'select' leaves it out ({origins.get('select', config.path)})")
    if any(code.startswith(c) for c in o.ignore):
        out.append(f"not reported: 'ignore' names it ({origins.get('ignore', config.path)})")
    for glob, codes in o.per_file_ignores.items():
        if any(code.startswith(c) for c in codes):
            out.append(f"not reported in files matching {glob} "
                       f"({origins.get(f'per-file-ignores.{glob}', config.path)})")
    if any(code.startswith(c) for c in o.unsuppressable):
        out.append(f"no comment may suppress it ({origins.get('unsuppressable', config.path)})")
    return out


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def techniques(ctx: click.Context, as_json: bool) -> None:
    """List the loaded techniques with their plugin, distribution and version."""
    if ctx.invoked_subcommand is not None:
        return
    from mesosim.describe import plugins_as_dict

    catalog = _host(ctx).catalog
    if as_json:
        import json

        click.echo(json.dumps(plugins_as_dict(catalog), indent=2))
        return
    for t in sorted(catalog.techniques.values(), key=lambda t: t.name):
        click.echo(f"{t.name:<18} {t.plugin} ({t.distribution} {t.version})  {t.description}")
    for p in catalog.plugins:
        if p.status != "loaded":
            click.echo(f"[{p.status}] {p.name} ({p.distribution} {p.version}): {p.reason}")
    if any(p.status == "refused" for p in catalog.plugins):
        ctx.exit(3)


@techniques.command("show")
@click.argument("name")
@click.option("--zone", default=None, help="Also show what is in force on this zone.")
@click.option("--setting", type=click.Choice(["clinic", "home"]), default=None,
              help="... in this setting.")
@click.option("--course", type=click.Choice(["intensive", "maintenance"]), default=None,
              help="... for this kind of course.")
@click.pass_context
def techniques_show(ctx: click.Context, name: str, zone: str | None, setting: str | None,
                    course: str | None) -> None:
    """Show a technique's steps, graph and ranges, each with its source; with --zone, --setting
    or --course, also which declarations are in force there and which they replace."""
    from mesosim.describe import show_technique

    parent = ctx.parent if ctx.parent is not None else ctx
    paths_ctx = parent.parent if parent.parent is not None else parent
    _load_config(paths_ctx, (".",))
    catalog = _host(paths_ctx).catalog
    tech = catalog.techniques.get(name)
    if tech is None:
        from mesosim._text import did_you_mean

        hint = did_you_mean(name, catalog.techniques)
        raise click.BadParameter(f"no technique '{name}'" + (f"; did you mean '{hint}'?" if hint
                                 else f"; loaded: {', '.join(sorted(catalog.techniques))}"),
                                 param_hint="NAME")
    if zone is not None and zone not in catalog.zones:
        raise click.BadParameter(f"no zone '{zone}'; zones: {', '.join(sorted(catalog.zones))}",
                                 param_hint="--zone")
    click.echo(show_technique(catalog, tech, zone, setting, course))


@click.command()
@click.argument("refs", nargs=-1, metavar="[REF]...")
@click.option("--markdown", is_flag=True, help="Print docs/sources.md: every claim, by topic.")
@click.pass_context
def sources(ctx: click.Context, refs: tuple[str, ...], markdown: bool) -> None:
    """The sources mesosim cites, or what a cited line says (REF: 002:11, 000:98...)."""
    from mesosim.describe import show_sources, sources_markdown

    if markdown:
        click.echo(sources_markdown(), nl=False)
        return
    text, ok = show_sources(_host(ctx).catalog, refs)
    click.echo(text)
    if not ok:
        ctx.exit(1)


@click.command()
@click.pass_context
def vocabulary(ctx: click.Context) -> None:
    """List the shared vocabulary: steps (with parameters), conditions, activities."""
    from mesosim.describe import show_vocabulary

    click.echo(show_vocabulary(_host(ctx).catalog))


@click.command()
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the schema to FILE.")
@click.pass_context
def schema(ctx: click.Context, output: str | None) -> None:
    """Print the JSON Schema of the protocol format (for editors)."""
    import json

    from mesosim.schema import protocol_schema

    _check_output(output)
    _emit(json.dumps(protocol_schema(_host(ctx).catalog), indent=2) + "\n", output)


@click.command("config")
@click.argument("path", required=False, default=".")
@config_option
@click.pass_context
def config_cmd(ctx: click.Context, path: str) -> None:
    """Print the configuration in force for PATH (default: here) and where each value came from."""
    from mesosim.config import describe

    if not os.path.exists(path):
        raise click.BadParameter(f"no such file or directory: {path}", param_hint="PATH")
    config = _load_config(ctx, (path,))
    _host(ctx)  # validates the rule codes and the overrides against the loaded plugins
    click.echo(describe(config), nl=False)
