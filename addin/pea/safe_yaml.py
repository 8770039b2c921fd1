"""YAML de configuración con tiempo y memoria acotados.

Los archivos de `rules/` los edita una persona y pueden venir de cualquier lado (una carpeta
compartida, un correo). Un «alias bomb» (anclas `&a` que se repiten con `*a` en cada nivel)
pesa unos cientos de bytes, pero lo que describe crece exponencialmente: validarlo o
sacarle la huella no terminaría. Aquí se acota el archivo (tamaño) y el documento
(nodos que resultan al expandir los alias, sin ciclos) antes de construir un solo objeto.
Una clave repetida en un mismo mapa (YAML se queda con la última en silencio) es un error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Tamaño máximo de un archivo de configuración o catálogo.
MAX_BYTES = 5 * 1024 * 1024
#: Nodos máximos del documento con los alias expandidos (un catálogo real tiene miles).
MAX_NODES = 200_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLimitError(ValueError):
    """El documento excede los límites o repite una clave (mensaje en español, sin la ruta)."""


def _check_duplicate_keys(node: yaml.MappingNode) -> None:
    """Una clave repetida en el mismo mapa: YAML se queda con la última sin avisar."""
    seen: dict[str, int] = {}
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        line = key.start_mark.line + 1
        if key.value in seen:
            raise YamlLimitError(f"repite la clave «{key.value}» (renglones {seen[key.value]} "
                                 f"y {line}); deje una sola")
        seen[key.value] = line


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodos del documento contando cada alias como una copia; falla en ciclos o al pasar
    `limit`. Recorrido iterativo con memoria por nodo: lineal en los nodos distintos."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
            if not done:
                _check_duplicate_keys(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > limit:
                raise YamlLimitError(f"describe más de {limit:,} elementos (¿anclas y alias "
                                     "repetidos?); simplifíquelo")
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise YamlLimitError("tiene un alias que se contiene a sí mismo")
        on_path.add(key)
        stack.append((node, True))
        for c in children:
            if id(c) in on_path:
                raise YamlLimitError("tiene un alias que se contiene a sí mismo")
            if id(c) not in sizes:
                stack.append((c, False))
    return sizes[id(root)]


def load_text(text: str, max_nodes: int = MAX_NODES) -> Any:
    """Como `yaml.safe_load`, pero rechaza documentos que al expandirse exceden `max_nodes`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, max_nodes)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Lee a lo más `max_bytes` (+1 para saber si se pasó)."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise YamlLimitError(f"pesa más de {max_bytes // (1024 * 1024)} MB; un archivo de "
                             "configuración no necesita tanto")
    return data


#: Los problemas más comunes que describe PyYAML (en inglés), en español.
_PROBLEMS = (
    ("could not determine a constructor for the tag",
     "usa una etiqueta «!!…» que PEA no acepta (solo texto, números, fechas, listas y mapas)"),
    ("found character '\\t'", "sangra con tabuladores; use espacios"),
    ("found a tab character", "sangra con tabuladores; use espacios"),
    ("found character that cannot start any token",
     "tiene un carácter que no puede ir ahí (¿un tabulador para sangrar? use espacios)"),
    ("did not find expected node content", "falta un valor o sobra una coma"),
    ("mapping values are not allowed", "hay «:» donde no van (¿falta una sangría o comillas?)"),
    ("could not find expected ':'", "falta «:» entre una clave y su valor"),
    ("found undefined alias", "usa un alias «*…» sin su ancla «&…»"),
    ("found duplicate anchor", "repite un ancla «&…»"),
    ("did not find expected key", "la sangría no cuadra con la clave de arriba"),
    ("did not find expected '-'", "la sangría de la lista no cuadra"),
    ("found unexpected end of stream", "termina antes de cerrar unas comillas o corchetes"),
    ("found unknown escape character", "tiene una secuencia «\\…» no válida entre comillas"),
    ("expected <document start>", "tiene más de un documento o texto después del final"),
    ("found unacceptable character", "tiene un carácter de control que YAML no admite"),
    ("special characters are not allowed", "tiene un carácter de control que YAML no admite"),
)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """Qué tiene mal el YAML, en español y con el renglón y la columna (sin el texto en
    inglés de PyYAML)."""
    text = str(exc)
    reason = next((es for en, es in _PROBLEMS if en in text), "la sintaxis no es válida")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f"{reason} (renglón {mark.line + 1}, columna {mark.column + 1})"
    return reason
