// Draws the app icon (a green countersign tick on the counter's navy) as build/icons/512x512.png
// and build/icons/icon.png, with no image library: raw RGBA rows, deflated into a PNG.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

function draw(size) {
  const rows = [];
  const r = size * 0.2;
  const distToSegment = (px, py, ax, ay, bx, by) => {
    const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
  };
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const cx = Math.min(Math.max(x, r), size - r);
      const cy = Math.min(Math.max(y, r), size - r);
      const inside = Math.hypot(x - cx, y - cy) <= r;
      let rgba = inside ? [11, 18, 32, 255] : [0, 0, 0, 0];
      const s = size / 512;
      const d = Math.min(distToSegment(x, y, 130 * s, 270 * s, 220 * s, 360 * s), distToSegment(x, y, 220 * s, 360 * s, 390 * s, 160 * s));
      if (inside && d < 34 * s) rgba = [58, 217, 128, 255];
      rgba.forEach((v, i) => (row[1 + x * 4 + i] = v));
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync('build/icons', { recursive: true });
const png = draw(512);
writeFileSync('build/icons/512x512.png', png);
writeFileSync('build/icons/icon.png', png);
console.log(`icon: ${png.length} bytes`);
