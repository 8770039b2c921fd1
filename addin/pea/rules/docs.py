"""Genera docs/reglas.md a partir del registro (la documentación nunca se desfasa)."""

from __future__ import annotations

from pea.rules.registry import load_all

FAMILIES = {
    "E": "Estructura y lectura", "H": "Encabezado y firmas", "R": "Campos obligatorios",
    "C": "Catálogos y ejes transversales", "N": "Numeración", "Q": "Programación trimestral",
    "P": "Población", "I": "Indicador", "S": "Responsable", "D": "Coherencia",
    "T": "Texto", "X": "Consolidación (entre libros)",
}


def render() -> str:
    """El catálogo completo en Markdown (español)."""
    rules = load_all()
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
            out.append(f"| {r.id} | {r.severity} | {r.title} | {msgs} | "
                       f"{', '.join(r.needs) or '—'} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render())
