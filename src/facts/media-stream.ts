// Which stream of a recorder a held file belongs to (video, photo, audio): the media kind the
// provenance step found, else the file's extension (damaged media).
const PHOTO = new Set(['jpg', 'jpeg', 'png', 'heic']);
const AUDIO = new Set(['wav', 'mp3', 'amr', 'aac', 'm4a', 'ogg', 'opus']);

export function streamOf(r: { media_kind: string | null; file_name: string }): string {
  if (r.media_kind) return r.media_kind;
  const ext = r.file_name.slice(r.file_name.lastIndexOf('.') + 1).toLowerCase();
  if (PHOTO.has(ext)) return 'photo';
  if (AUDIO.has(ext)) return 'audio';
  return 'video';
}
