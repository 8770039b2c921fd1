"""Genera docs/reglas.md a partir del registro (la documentación nunca se desfasa).

Las familias salen del registro: una regla de una familia sin título en `FAMILIES` hace
fallar `render()` (y la prueba de la documentación), en vez de desaparecer de la página.
"""

from __future__ import annotations

from pea.rules.registry import Rule, load_all

FAMILIES = {
    "E": "Estructura y lectura", "H": "Encabezado y firmas", "R": "Campos obligatorios",
    "C": "Catálogos y ejes transversales", "N": "Numeración", "Q": "Programación trimestral",
    "P": "Población", "I": "Indicador", "S": "Responsable", "D": "Coherencia",
    "T": "Texto", "X": "Consolidación (entre libros)",
}


class MissingFamily(LookupError):
    """Una regla cuya familia no tiene título en `FAMILIES`."""


def _severity(r: Rule) -> str:
    """La severidad por omisión y la de cada variante que la cambia («error; continuado: info»)."""
    extra = [f"{v}: {s}" for v, s in (r.variant_severity or {}).items() if s != r.severity]
    return "; ".join([r.severity, *extra])


def _needs(r: Rule) -> str:
    if not r.variant_needs:
        return ", ".join(r.needs) or "—"
    parts = []
    for variant, needs in r.variant_needs.items():
        label = variant or "principal"
        parts.append(f"{', '.join(r.needs + needs)} ({label})")
    return "; ".join(parts)


def render() -> str:
    """El catálogo completo en Markdown (español)."""
    rules = load_all()
    missing = sorted({r.family for r in rules.values()} - set(FAMILIES))
    if missing:
        ids = [r.id for r in rules.values() if r.family in missing]
        raise MissingFamily(f"familias sin título en rules/docs.py FAMILIES: {missing} ({ids})")
    out = [
        "# Catálogo de reglas PEA",
        "",
        "Generado con `python3 -m pea.rules.docs > docs/reglas.md`; no lo edite a mano.",
        "La severidad se cambia (o la regla se desactiva) en `rules/configuracion.yaml`,",
        "sección `severidades`. Las reglas que requieren un catálogo se omiten cuando ese",
        "catálogo no existe en `rules/catalogos/`. `pea reglas` muestra la severidad efectiva.",
        "",
    ]
    for fam, title in FAMILIES.items():
        group = [r for r in rules.values() if r.family == fam]
        if not group:
            continue
        out += [f"## PEA-{fam}: {title}", "", "| Regla | Severidad | Qué revisa | Mensaje | Requiere |",
                "|---|---|---|---|---|"]
        for r in group:
            msgs = " / ".join(f"`{m}`" for m in dict.fromkeys(r.messages.values()))
            out.append(f"| {r.id} | {_severity(r)} | {r.title} | {msgs} | {_needs(r)} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render())
