"""Provenance: what made a file, recorded in the manifest and inside the file (XMP for PNG, extras for glTF).

Neural output is labelled IPTC ``trainedAlgorithmicMedia`` and ``ai_generated: true``; procedural output
``algorithmicMedia``. This is the SDK's answer to misuse: an AI-made file says so wherever it travels.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from ._version import __version__

__all__ = ["DIGITAL_SOURCE_TYPE", "provenance_record", "xmp_packet"]

_IPTC_CV = "http://cv.iptc.org/newscodes/digitalsourcetype/"
DIGITAL_SOURCE_TYPE = {
    True: _IPTC_CV + "trainedAlgorithmicMedia",
    False: _IPTC_CV + "algorithmicMedia",
}


def provenance_record(
    generator: str, generator_version: str, neural: bool, models: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The provenance block of a manifest entry (sorted, timestamp-free so builds stay reproducible)."""
    record: dict[str, Any] = {
        "sdk": "gamegen",
        "sdk_version": __version__,
        "generator": generator,
        "generator_version": generator_version,
        "method": "neural" if neural else "procedural",
        "ai_generated": bool(neural),
        "digital_source_type": DIGITAL_SOURCE_TYPE[bool(neural)],
    }
    if models:
        record["models"] = models
    return record


def xmp_packet(record: dict[str, Any]) -> str:
    """An XMP packet carrying the IPTC digital source type and gamegen's provenance fields."""
    models = "; ".join(f"{m['model_id']}@sha256:{m['weights_sha256']}" for m in record.get("models", []))
    tool = f"gamegen {record['sdk_version']} ({record['generator']} {record['generator_version']})"
    fields = {
        "gamegen:Generator": record["generator"],
        "gamegen:GeneratorVersion": record["generator_version"],
        "gamegen:Method": record["method"],
        "gamegen:AIGenerated": "True" if record["ai_generated"] else "False",
    }
    if models:
        fields["gamegen:Models"] = models
    props = "".join(f"\n   <{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:gamegen="https://gamegen.dev/ns/1.0/">\n'
        f"   <Iptc4xmpExt:DigitalSourceType>{escape(record['digital_source_type'])}</Iptc4xmpExt:DigitalSourceType>\n"
        f"   <xmp:CreatorTool>{escape(tool)}</xmp:CreatorTool>"
        f"{props}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
