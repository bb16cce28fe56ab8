// The words of the offline basemap (the Map screen's background, its layer switch and "Save the map for offline
// use"), in Vietnamese and English, added to i18n.js's t() when the map's code loads; and how sizes read.

import { addStrings, getLang } from './i18n.js';

addStrings({
  vi: {
    map_layer_basemap: 'Bản đồ của lễ hội (ngoại tuyến)',
    map_layer_online: 'Bản đồ trực tuyến',
    offline_map_title: 'Bản đồ ngoại tuyến',
    offline_map_save: 'Lưu bản đồ để dùng ngoại tuyến',
    offline_map_update: 'Cập nhật bản đồ đã lưu',
    offline_map_none: 'Tải một lần ({size}) để xem nền bản đồ, tên phố và đường đi cả khi không có mạng.',
    offline_map_saved: 'Đã lưu trên máy này: {size}.',
    offline_map_old: 'Có bản đồ mới hơn ({size}); bản đã lưu vẫn dùng được.',
    offline_map_progress: 'Đang tải bản đồ… {percent} % ({done} / {size})',
    offline_map_failed: 'Không tải được bản đồ. Hãy thử lại khi có mạng.',
    offline_map_offline: 'Cần có mạng để tải bản đồ.',
    offline_map_usage: 'Ứng dụng đang dùng {usage} bộ nhớ của máy.',
    offline_map_auto: 'Tự động lưu khi dùng Wi-Fi',
  },
  en: {
    map_layer_basemap: 'Festival map (works offline)',
    map_layer_online: 'Online map',
    offline_map_title: 'Offline map',
    offline_map_save: 'Save the map for offline use',
    offline_map_update: 'Update the saved map',
    offline_map_none: 'Download it once ({size}) to see the background map, street names and routes without signal.',
    offline_map_saved: 'Saved on this phone: {size}.',
    offline_map_old: 'A newer map is available ({size}); the saved one still works.',
    offline_map_progress: 'Downloading the map… {percent} % ({done} of {size})',
    offline_map_failed: 'The map could not be downloaded. Try again with a connection.',
    offline_map_offline: 'A connection is needed to download the map.',
    offline_map_usage: 'The app uses {usage} of this phone’s storage.',
    offline_map_auto: 'Save automatically on Wi-Fi',
  },
});

/** '324 KB', '1.5 MB' (vi: '1,5 MB'). */
export function formatBytes(bytes) {
  const mb = bytes / (1024 * 1024);
  if (mb < 1) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const text = mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
  return `${getLang() === 'vi' ? text.replace('.', ',') : text} MB`;
}
