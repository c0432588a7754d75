// Photos are shrunk on the phone before they are queued (a phone camera's 4000 px photo is several MB
// over a weak connection): at most MAX_SIDE pixels on the long side, as JPEG.

const MAX_SIDE = 1600;
const QUALITY = 0.82;

async function decode(file) {
  if (window.createImageBitmap) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (error) {
      // Fall back to an <img> below (older browsers refuse the options).
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The photo `file` shrunk to a JPEG Blob. Rejects when the file is not an image the browser reads. */
export async function shrink(file) {
  const image = await decode(file);
  const width = image.width || image.naturalWidth;
  const height = image.height || image.naturalHeight;
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // a transparent PNG becomes white, not black
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  if (image.close) { image.close(); }
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), "image/jpeg", QUALITY);
  });
}

/** When the photo was taken: the file's time (a camera's photo is written when it is taken). */
export function takenAt(file) {
  const time = file.lastModified ? new Date(file.lastModified) : new Date();
  const now = new Date();
  return (time > now ? now : time).toISOString();
}
