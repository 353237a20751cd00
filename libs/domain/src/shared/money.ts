/**
 * Money is held in fen (分), an integer, so no sum ever drifts by a float
 * error. The API speaks yuan with two decimals; the edge converts.
 */
export type Fen = number;

export function yuanToFen(yuan: number): Fen {
  return Math.round(yuan * 100);
}

export function fenToYuan(fen: Fen): number {
  return fen / 100;
}

export function formatYuan(fen: Fen): string {
  return (fen / 100).toFixed(2);
}
