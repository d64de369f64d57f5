"""glTF 2.0 binary (.glb) encoding with pygltflib: one node and mesh per part, one PBR material, PNG textures.

Texture wrapping follows the asset's ``meta["tiling"]`` (the texture generators' vocabulary: ``none``, ``x``, ``y``,
``xy``): a tiled axis samples with REPEAT, any other with CLAMP_TO_EDGE, so a texture that does not tile never bleeds
its opposite edge into the border texels (the thin line along terrain tile borders). Without a ``tiling`` entry the
textures REPEAT, glTF's default.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pygltflib as g

from ..assets import TILING_AXES, Material, MeshAsset
from .png import encode_png

__all__ = ["encode_glb", "wrap_modes"]

_FLOAT, _U16, _U32 = g.FLOAT, g.UNSIGNED_SHORT, g.UNSIGNED_INT
"""The ``tiling`` values the encoder understands (anything else, or none at all, means REPEAT on both axes)."""


def wrap_modes(tiling: object) -> tuple[int, int]:
    """glTF ``(wrapS, wrapT)`` for textures that tile along ``tiling``: REPEAT (10497) on a tiled axis, else
    CLAMP_TO_EDGE (33071). S runs along x (u), T along y (v); an unrecognised value keeps glTF's default REPEAT."""
    if tiling not in TILING_AXES:
        return g.REPEAT, g.REPEAT
    axes = str(tiling)
    return (g.REPEAT if "x" in axes else g.CLAMP_TO_EDGE), (g.REPEAT if "y" in axes else g.CLAMP_TO_EDGE)


class _Packer:
    """Appends 4-byte-aligned buffer views and accessors to one binary blob."""

    def __init__(self, gltf: g.GLTF2) -> None:
        self.gltf = gltf
        self.blob = bytearray()

    def view(self, data: bytes, target: int | None = None) -> int:
        pad = (-len(self.blob)) % 4
        self.blob.extend(b"\0" * pad)
        self.gltf.bufferViews.append(
            g.BufferView(buffer=0, byteOffset=len(self.blob), byteLength=len(data), target=target)
        )
        self.blob.extend(data)
        return len(self.gltf.bufferViews) - 1

    def accessor(self, array: np.ndarray, kind: str, target: int | None, minmax: bool = False) -> int:
        ctype = {np.dtype(np.float32): _FLOAT, np.dtype(np.uint16): _U16, np.dtype(np.uint32): _U32}[array.dtype]
        acc = g.Accessor(
            bufferView=self.view(array.tobytes(), target),
            componentType=ctype,
            count=int(array.shape[0]) if kind != "SCALAR" else int(array.size),
            type=kind,
        )
        if minmax:
            acc.min = [float(v) for v in array.min(axis=0)]
            acc.max = [float(v) for v in array.max(axis=0)]
        self.gltf.accessors.append(acc)
        return len(self.gltf.accessors) - 1

    def texture(self, image: np.ndarray) -> int:
        view = self.view(encode_png(image))
        self.gltf.images.append(g.Image(bufferView=view, mimeType="image/png"))
        self.gltf.textures.append(g.Texture(sampler=0, source=len(self.gltf.images) - 1))
        return len(self.gltf.textures) - 1


def _material(packer: _Packer, mat: Material) -> g.Material:
    pbr = g.PbrMetallicRoughness(
        baseColorFactor=list(mat.base_color_factor), metallicFactor=mat.metallic, roughnessFactor=mat.roughness
    )
    out = g.Material(name=mat.name, pbrMetallicRoughness=pbr, doubleSided=False)
    if mat.base_color is not None:
        pbr.baseColorTexture = g.TextureInfo(index=packer.texture(mat.base_color))
    if mat.orm is not None:
        orm = packer.texture(mat.orm)
        pbr.metallicRoughnessTexture = g.TextureInfo(index=orm)
        out.occlusionTexture = g.OcclusionTextureInfo(index=orm)
        pbr.metallicFactor, pbr.roughnessFactor = 1.0, 1.0  # the texture carries the values
    if mat.normal is not None:
        out.normalTexture = g.NormalMaterialTexture(index=packer.texture(mat.normal))
    return out


def vertex_tangents(positions: np.ndarray, normals: np.ndarray, uvs: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Per-vertex glTF tangents (N,4): xyz along increasing u, w = ±1 so that cross(normal, xyz)·w points up the image.

    Triangle tangents from the UV derivatives (as MikkTSpace), summed per vertex, made orthogonal to the normal.
    glTF's v runs down the image, so "up" is −dP/dv. A vertex with no usable UVs gets any unit vector ⊥ normal.
    """
    n = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    p0, p1, p2 = (positions[indices[:, k]].astype(np.float64) for k in range(3))
    t0, t1, t2 = (uvs[indices[:, k]].astype(np.float64) for k in range(3))
    e1, e2, d1, d2 = p1 - p0, p2 - p0, t1 - t0, t2 - t0
    det = d1[:, :1] * d2[:, 1:] - d2[:, :1] * d1[:, 1:]
    inv = np.divide(1.0, det, out=np.zeros_like(det), where=np.abs(det) > 1e-20)
    dpdu = (e1 * d2[:, 1:] - e2 * d1[:, 1:]) * inv
    dpdv = (e2 * d1[:, :1] - e1 * d2[:, :1]) * inv
    tan, bit = np.zeros((len(positions), 3)), np.zeros((len(positions), 3))
    for k in range(3):
        np.add.at(tan, indices[:, k], dpdu)
        np.add.at(bit, indices[:, k], dpdv)
    tan -= n * np.sum(n * tan, axis=1, keepdims=True)
    length = np.linalg.norm(tan, axis=1, keepdims=True)
    axis = np.where(np.abs(n[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    fallback = np.cross(n, axis)
    tan = np.where(
        length > 1e-12, tan / np.maximum(length, 1e-12), fallback / np.linalg.norm(fallback, axis=1)[:, None]
    )
    w = np.where(np.sum(np.cross(n, tan) * -bit, axis=1) < 0, -1.0, 1.0)
    return np.concatenate([tan, w[:, None]], axis=1).astype(np.float32)


def encode_glb(asset: MeshAsset, provenance: dict[str, Any] | None = None) -> bytes:
    """Encode a MeshAsset as a self-contained .glb that the Khronos validator accepts.

    Every texture shares one sampler whose wrap modes come from ``asset.meta["tiling"]`` (see :func:`wrap_modes`).
    """
    wrap_s, wrap_t = wrap_modes(asset.meta.get("tiling"))
    gltf = g.GLTF2(
        asset=g.Asset(version="2.0", generator="gamegen", extras={"provenance": provenance} if provenance else None),
        scene=0,
        samplers=[g.Sampler(magFilter=g.LINEAR, minFilter=g.LINEAR_MIPMAP_LINEAR, wrapS=wrap_s, wrapT=wrap_t)],
    )
    packer = _Packer(gltf)
    mat_index = None
    if asset.material is not None:
        gltf.materials.append(_material(packer, asset.material))
        mat_index = 0
    children = []
    for i, part in enumerate(asset.parts):
        attrs = g.Attributes(POSITION=packer.accessor(part.positions, "VEC3", g.ARRAY_BUFFER, minmax=True))
        if part.normals is not None:
            n = part.normals / np.maximum(np.linalg.norm(part.normals, axis=1, keepdims=True), 1e-12)
            attrs.NORMAL = packer.accessor(n.astype(np.float32), "VEC3", g.ARRAY_BUFFER)
        if part.uvs is not None:
            repeat = asset.material.uv_repeat if asset.material is not None else 1.0
            uvs = (part.uvs * repeat).astype(np.float32)
            attrs.TEXCOORD_0 = packer.accessor(uvs, "VEC2", g.ARRAY_BUFFER)
            if part.normals is not None and asset.material is not None and asset.material.normal is not None:
                # a normal map needs a tangent frame; shipping it spares every engine its own guess
                tangents = vertex_tangents(part.positions, part.normals, uvs, part.indices)
                attrs.TANGENT = packer.accessor(tangents, "VEC4", g.ARRAY_BUFFER)
        idx = part.indices.reshape(-1)
        idx = idx.astype(np.uint16) if len(part.positions) <= 65535 else idx.astype(np.uint32)
        prim = g.Primitive(
            attributes=attrs, indices=packer.accessor(idx, "SCALAR", g.ELEMENT_ARRAY_BUFFER), material=mat_index
        )
        gltf.meshes.append(g.Mesh(name=f"{asset.name}_{i}", primitives=[prim]))
        gltf.nodes.append(g.Node(name=f"{asset.name}_{i}", mesh=len(gltf.meshes) - 1))
        children.append(len(gltf.nodes) - 1)
    gltf.nodes.append(g.Node(name=asset.name, children=children))
    gltf.scenes.append(g.Scene(nodes=[len(gltf.nodes) - 1]))
    pad = (-len(packer.blob)) % 4
    packer.blob.extend(b"\0" * pad)
    gltf.buffers.append(g.Buffer(byteLength=len(packer.blob)))
    gltf.set_binary_blob(bytes(packer.blob))
    return b"".join(gltf.save_to_bytes())
