/**
 * Real images for the image tests, made with sharp at test time: a phone-like JPEG with EXIF
 * GPS and a sideways orientation, a large PNG, an animated GIF, WebP with and without alpha.
 * Noise makes files as heavy as real photos (flat colour would compress to nothing).
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

/** Pixels that do not compress: the byte size of a real photo. */
function noise(width: number, height: number, channels: 3 | 4) {
  return sharp(randomBytes(width * height * channels), { raw: { width, height, channels } });
}

/**
 * Photo-like pixels: coarse noise scaled up smoothly (soft shapes, as in a photo) rather than
 * pure noise, which no photo is and which no encoder can make small.
 */
async function photoLike(width: number, height: number) {
  const w = Math.max(8, Math.round(width / 24));
  const h = Math.max(8, Math.round(height / 24));
  const small = await noise(w, h, 3).png().toBuffer();
  return sharp(await sharp(small).resize(width, height, { kernel: 'cubic' }).png({ compressionLevel: 1 }).toBuffer());
}

/** A JPEG as a phone writes it: EXIF with camera make and GPS position, orientation 6 (sideways). */
export async function phoneJpeg(width: number, height: number, quality = 92): Promise<Buffer> {
  return (await photoLike(width, height))
    .jpeg({ quality })
    .withExif({ IFD0: { Make: 'RoundupPhone', Model: 'Test 1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 2636/100' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

export async function largePng(width: number, height: number): Promise<Buffer> {
  // A gradient with a little noise: screenshot-like, with an alpha channel.
  const w = width;
  const h = height;
  const px = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      px[i] = (x * 255) / w;
      px[i + 1] = (y * 255) / h;
      px[i + 2] = ((x + y) * 7) & 0xff;
      px[i + 3] = 255 - (x * 64) / w;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 4 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

export async function animatedGif(width: number, height: number, colours = ['#cc2233', '#22aa44', '#2255cc']): Promise<Buffer> {
  const frames = await Promise.all(
    colours.map((background) =>
      sharp({ create: { width, height, channels: 4, background } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(frames, { join: { animated: true } })
    .gif({ delay: colours.map(() => 200), loop: 0 })
    .toBuffer();
}

export async function webp(width: number, height: number, alpha: boolean): Promise<Buffer> {
  return noise(width, height, alpha ? 4 : 3)
    .webp({ quality: 90 })
    .toBuffer();
}

/**
 * Does this EXIF block (as sharp's metadata().exif returns it: "Exif\0\0" + TIFF) point to a
 * GPS IFD (tag 0x8825 in IFD0)? Read from the bytes, independently of sharp.
 */
export function exifHasGps(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0);
  const le = tiff.subarray(0, 2).toString('latin1') === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  const count = u16(ifd0);
  for (let i = 0; i < count; i++) if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  return false;
}

/** JPEG APP1 segments ("Exif" or XMP) anywhere in the file's header: metadata an email should not carry. */
export function jpegHasApp1(jpeg: Buffer): boolean {
  let o = 2;
  while (o + 4 < jpeg.length && jpeg[o] === 0xff) {
    const marker = jpeg[o + 1];
    if (marker === 0xda) return false; // start of scan: no more header segments
    if (marker === 0xe1) return true;
    o += 2 + jpeg.readUInt16BE(o + 2);
  }
  return false;
}
