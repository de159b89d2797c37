// An image stored as bytes, drawn through an object URL that lives as long as the element (no
// data: URLs, so the bytes are not copied into a string, and nothing is fetched).
import { useEffect, useState } from 'react';

export function useObjectUrl(bytes: Uint8Array | null, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!bytes) return;
    const made = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [bytes, type]);
  return url;
}

interface ThumbnailProps {
  bytes: Uint8Array;
  type: string;
  alt: string;
  size?: number;
}

export function Thumbnail({ bytes, type, alt, size = 64 }: ThumbnailProps) {
  const url = useObjectUrl(bytes, type);
  return url ? <img className="thumbnail" src={url} alt={alt} width={size} height={size} /> : <span className="thumbnail" style={{ width: size, height: size }} />;
}
