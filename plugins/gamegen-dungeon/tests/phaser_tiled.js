// Parse a Tiled JSON map with Phaser 3's own parser (what `this.load.tilemapTiledJSON` + `make.tilemap` run) and
// print what Phaser sees as JSON: its warnings, the map, tilesets, tile layers (gids and per-tile properties) and
// object layers. A parser exception is reported as {"error": ...}.
//
//   node phaser_tiled.js <phaser package dir> <map.tmj>
//
// Phaser's modules probe the browser when they load (user agent, a canvas 2D context); the few stubs below answer
// those probes. The Tiled parser itself uses none of them.
'use strict';

const fs = require('fs');
const path = require('path');

const context = new Proxy(
    {},
    {
        get: (target, key) => (key in target ? target[key] : key === 'getImageData' ? () => ({ data: [0, 0, 0, 0] }) : () => {}),
        set: (target, key, value) => {
            target[key] = value;
            return true;
        },
    }
);
globalThis.window = globalThis;
globalThis.navigator = { userAgent: 'node', maxTouchPoints: 0 };
globalThis.document = {
    documentElement: {},
    addEventListener() {},
    createElement: () => ({ getContext: () => context, style: {}, width: 1, height: 1 }),
};
globalThis.Image = function Image() {};
globalThis.HTMLCanvasElement = function HTMLCanvasElement() {};
globalThis.HTMLImageElement = function HTMLImageElement() {};
globalThis.HTMLVideoElement = function HTMLVideoElement() {};

const [phaserDir, mapPath] = process.argv.slice(2);
const version = JSON.parse(fs.readFileSync(path.join(phaserDir, 'package.json'), 'utf8')).version;
const warnings = [];
console.warn = (...args) => warnings.push(args.join(' '));
console.log = () => {}; // Phaser's banner and debug output would corrupt the JSON on stdout

let result;
try {
    const ParseJSONTiled = require(path.join(phaserDir, 'src/tilemaps/parsers/tiled/ParseJSONTiled.js'));
    const map = ParseJSONTiled('map', JSON.parse(fs.readFileSync(mapPath, 'utf8')), false);
    result = {
        phaser: version,
        warnings,
        map: {
            width: map.width,
            height: map.height,
            tileWidth: map.tileWidth,
            tileHeight: map.tileHeight,
            orientation: map.orientation,
            infinite: map.infinite,
        },
        tilesets: map.tilesets.map((t) => ({
            name: t.name,
            firstgid: t.firstgid,
            tileWidth: t.tileWidth,
            tileHeight: t.tileHeight,
            rows: t.rows,
            columns: t.columns,
            total: t.total,
            tileProperties: t.tileProperties,
            tileData: t.tileData,
        })),
        layers: map.layers.map((layer) => ({
            name: layer.name,
            width: layer.width,
            height: layer.height,
            gids: layer.data.map((row) => row.map((tile) => (tile === null ? 0 : Math.max(tile.index, 0)))),
            walkable: layer.data.map((row) => row.map((tile) => Boolean(tile && tile.properties && tile.properties.walkable))),
        })),
        objects: map.objects.map((layer) => ({
            name: layer.name,
            objects: layer.objects.map((o) => ({
                name: o.name,
                type: o.type,
                x: o.x,
                y: o.y,
                width: o.width,
                height: o.height,
                point: Boolean(o.point),
                rectangle: Boolean(o.rectangle),
                properties: o.properties,
            })),
        })),
    };
} catch (err) {
    result = { phaser: version, warnings, error: String(err && err.stack ? err.stack.split('\n')[0] : err) };
}
process.stdout.write(JSON.stringify(result));
