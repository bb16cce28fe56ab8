// The words of the festival map's own controls (the views it jumps to, its clusters of venues, the list of every
// venue), in Vietnamese and English, added to i18n.js's t() when the map's code loads.

import { addStrings } from './i18n.js';

addStrings({
  vi: {
    map_views: 'Xem trên bản đồ',
    map_view_all: 'Tất cả',
    map_view_all_title: 'Toàn bộ lễ hội',
    map_view_centre: 'Trung tâm',
    map_view_centre_title: 'Trung tâm: {district}',
    map_view_villages: 'Làng nghề',
    map_cluster: '{n} địa điểm gần nhau',
    all_venues_more: 'Xem thêm địa điểm ({shown} / {n})',
  },
  en: {
    map_views: 'Show on the map',
    map_view_all: 'All',
    map_view_all_title: 'The whole festival',
    map_view_centre: 'Centre',
    map_view_centre_title: 'Centre: {district}',
    map_view_villages: 'Villages',
    map_cluster: '{n} venues close together',
    all_venues_more: 'Show more venues ({shown} of {n})',
  },
});
