// How the offline basemap looks: protomaps-leaflet paint and label rules over the archive's OpenMapTiles layers
// (server/basemap/tiles/process.lua: transportation and transportation_name by `class`, water, waterway, park,
// building), in the festival's colours (css/app.css: warm paper, lacquer red for the big streets, jade water).
// Labels are in the app's language first: Vietnamese `name`, or English `name:en` / `name_en` falling back to
// `name`; parks, which have room, add the other language after it.

const PAPER = '#f8f4ee'; // --bg
const INK = '#5c534b'; // --muted: labels stay quieter than the venues drawn on top
const HALO = '#ffffff';
const WATER = '#bcdcd6'; // --accent (jade), faded
const PARK = '#dcead0';
const BUILDING = '#ebe2d5';
const CASING = '#e0d3c3'; // --line, a little darker
const STREET = '#ffffff';
const MAJOR = '#f3cfca'; // --primary-soft, stronger
const MAJOR_CASING = '#d49a93';
const PATH = '#c9b9a6';

export const BACKGROUND = PAPER;

const MAJOR_CLASSES = new Set(['motorway', 'trunk', 'primary']);
const MID_CLASSES = new Set(['secondary', 'tertiary']);
const is = (classes) => (_z, f) => classes.has(f.props.class);
const isClass = (name) => (_z, f) => f.props.class === name;

/** Line width by zoom: `stops` [[zoom, px], …], linear between, overzoom included (the archive stops at 14). */
function widthBy(stops) {
  return (z) => {
    if (z <= stops[0][0]) return stops[0][1];
    for (let i = 1; i < stops.length; i += 1) {
      const [z1, w1] = stops[i];
      const [z0, w0] = stops[i - 1];
      if (z <= z1) return w0 + ((w1 - w0) * (z - z0)) / (z1 - z0);
    }
    return stops[stops.length - 1][1];
  };
}

const MAJOR_W = widthBy([[10, 1.5], [14, 4.5], [16, 8], [18, 20]]);
const MID_W = widthBy([[11, 1], [14, 3], [16, 6], [18, 16]]);
const MINOR_W = widthBy([[12, 0.5], [14, 1.5], [16, 4], [18, 11]]);

/** The label of a feature in `lang`, falling back to the other language. */
export function nameIn(props, lang) {
  const en = props['name:en'] || props.name_en;
  return (lang === 'en' ? en || props.name : props.name || en) || '';
}

/** The label in `lang`, then the other language's name when it says something else. */
export function bothNames(props, lang) {
  const first = nameIn(props, lang);
  const other = nameIn(props, lang === 'en' ? 'vi' : 'en');
  return other && other !== first ? `${first} (${other})` : first;
}

/** A label symbolizer whose text comes from `text(props)` instead of a list of attributes. */
function withText(symbolizer, text) {
  // protomaps-leaflet picks one attribute per label (TextAttr); the fallback and the two languages need code
  symbolizer.text = { get: (_z, f) => text(f.props) || undefined };
  return symbolizer;
}

export function paintRules(P) {
  const line = (dataLayer, filter, color, width, extra = {}) => ({
    dataLayer, filter, symbolizer: new P.LineSymbolizer({ color, width, lineCap: 'round', lineJoin: 'round', ...extra }),
  });
  const casing = (w) => (z, f) => w(z, f) + 1.5;
  return [
    { dataLayer: 'park', symbolizer: new P.PolygonSymbolizer({ fill: PARK }) },
    { dataLayer: 'water', symbolizer: new P.PolygonSymbolizer({ fill: WATER }) },
    line('waterway', null, WATER, widthBy([[10, 0.5], [14, 2], [18, 6]])),
    { dataLayer: 'building', minzoom: 14, symbolizer: new P.PolygonSymbolizer({ fill: BUILDING, stroke: CASING, width: 0.5 }) },
    line('transportation', isClass('path'), PATH, widthBy([[14, 0.75], [18, 2]]), { dash: [3, 2] }),
    line('transportation', is(new Set(['minor', 'service', 'track'])), CASING, casing(MINOR_W)),
    line('transportation', is(MID_CLASSES), CASING, casing(MID_W)),
    line('transportation', is(MAJOR_CLASSES), MAJOR_CASING, casing(MAJOR_W)),
    line('transportation', is(new Set(['minor', 'service', 'track'])), STREET, MINOR_W),
    line('transportation', is(MID_CLASSES), STREET, MID_W),
    line('transportation', is(MAJOR_CLASSES), MAJOR, MAJOR_W),
  ];
}

export function labelRules(P, lang) {
  const font = (size, weight = 400) => `${weight} ${size}px system-ui, sans-serif`;
  const street = (size) => withText(new P.LineLabelSymbolizer({
    font: font(size), fill: INK, stroke: HALO, width: 3,
  }), (props) => nameIn(props, lang));
  const area = (fill) => withText(new P.CenteredTextSymbolizer({
    font: font(12, 500), fill, stroke: HALO, width: 3, maxLineChars: 16, lineHeight: 1.2,
  }), (props) => bothNames(props, lang));
  return [
    { dataLayer: 'park', minzoom: 14, symbolizer: area('#4a6b3a') },
    { dataLayer: 'transportation_name', filter: is(MAJOR_CLASSES), symbolizer: street(13) },
    { dataLayer: 'transportation_name', minzoom: 14, filter: (z, f) => !MAJOR_CLASSES.has(f.props.class), symbolizer: street(12) },
  ];
}
