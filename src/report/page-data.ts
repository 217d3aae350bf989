/** What the report page's script reads: index.html embeds it as JSON (html.ts writes it, page/main.ts reads it). */
export interface PageData {
  curves: { group: string; groupBy: string; charts: { title: string; key: string; logY: boolean; png: string; series: { name: string; x: number[]; y: number[] }[] }[] }[];
  matrix: null | {
    selected: string;
    png: string | null;
    metrics: { metric: string; higherIsBetter: boolean; sizes: string[]; activations: string[]; values: (number | null)[][]; notes: string[][] }[];
  };
}

