// The app's words in Vietnamese and English. t(key, params) picks the current language.

export const LANGS = ['vi', 'en'];

const STRINGS = {
  vi: {
    app_name: 'Lễ hội',
    skip: 'Bỏ qua, đến nội dung',
    nav_label: 'Mục chính',
    nav_programme: 'Chương trình',
    nav_schedule: 'Lịch của tôi',
    nav_settings: 'Cài đặt',
    nav_map: 'Bản đồ',
    nav_pass: 'Vé',
    pass_title: 'Vé của tôi',
    passport_title: 'Hộ chiếu con dấu',
    volunteer_title: 'Tình nguyện viên',
    org_title: 'Ban tổ chức',
    map_title: 'Bản đồ lễ hội',
    plan_title: 'Kế hoạch trong ngày',
    plan_button: 'Lên kế hoạch',
    online: 'Trực tuyến',
    offline: 'Ngoại tuyến',
    offline_long: 'Bạn đang ngoại tuyến. Mọi thứ vẫn dùng được; thay đổi sẽ được gửi khi có mạng.',
    synced_at: 'Đồng bộ {time}',
    never_synced: 'Chưa đồng bộ',
    syncing: 'Đang đồng bộ…',
    pending: '{n} thay đổi chờ gửi',
    pending_short: '{n} chờ gửi',
    days_label: 'Ngày lễ hội',
    search_label: 'Tìm sự kiện và địa điểm',
    search_placeholder: 'Tìm sự kiện, địa điểm…',
    clear_search: 'Xoá tìm kiếm',
    category: 'Thể loại',
    all_categories: 'Mọi thể loại',
    venue_kind: 'Loại địa điểm',
    all_kinds: 'Mọi địa điểm',
    results_count: '{n} kết quả cho “{q}” trong cả lễ hội',
    events_count: '{n} sự kiện',
    more_results: 'Xem thêm {n} kết quả',
    now_marker: 'Bây giờ · {time}',
    not_stored: 'Điện thoại không lưu được chương trình (hết dung lượng hoặc chế độ riêng tư). Ứng dụng vẫn chạy, nhưng cần mạng khi mở lại.',
    venues_heading: 'Địa điểm',
    events_heading: 'Sự kiện',
    no_events: 'Không có sự kiện nào phù hợp.',
    no_results: 'Không tìm thấy kết quả cho “{q}”.',
    loading: 'Đang tải chương trình…',
    need_network: 'Lần mở đầu tiên cần có mạng để tải chương trình. Hãy kết nối rồi thử lại.',
    retry: 'Thử lại',
    fav_add: 'Thêm “{title}” vào lịch của tôi',
    fav_remove: 'Bỏ “{title}” khỏi lịch của tôi',
    fav_add_short: 'Thêm vào lịch của tôi',
    fav_remove_short: 'Đã có trong lịch của tôi',
    add_calendar: 'Tải tệp lịch (.ics)',
    back: 'Quay lại',
    when: 'Thời gian',
    where: 'Địa điểm',
    capacity: 'Sức chứa: {n} người',
    capacity_label: 'Sức chứa',
    cancelled: 'Đã huỷ',
    cancelled_long: 'Sự kiện này đã bị huỷ.',
    tags: 'Từ khoá',
    sample_note: 'Dữ liệu mẫu',
    not_found: 'Không tìm thấy nội dung này. Có thể nó đã bị gỡ khỏi chương trình.',
    to_programme: 'Về chương trình',
    hours: 'Giờ mở cửa',
    festival_hours: 'Trong dịp lễ hội',
    weekly_hours: 'Giờ mở cửa thường ngày',
    today_hours: 'Hôm nay: {hours}',
    closed: 'Đóng cửa',
    no_hours: 'Chưa có giờ mở cửa.',
    address: 'Địa chỉ',
    accessibility: 'Tiếp cận',
    events_here: 'Sự kiện tại đây',
    no_events_here: 'Chưa có sự kiện nào tại đây.',
    open_map: 'Xem trên bản đồ',
    on_festival_map: 'Trên bản đồ lễ hội',
    go_there: 'Chỉ đường',
    schedule_title: 'Lịch của tôi',
    schedule_empty: 'Lịch của bạn còn trống. Nhấn ☆ bên cạnh một sự kiện để thêm vào đây.',
    schedule_count: '{n} sự kiện đã lưu',
    overlap_with: 'Trùng giờ với: {titles}',
    overlap_summary: '{n} sự kiện trùng giờ nhau',
    settings_title: 'Cài đặt',
    language: 'Ngôn ngữ',
    reminder: 'Nhắc trước khi sự kiện bắt đầu',
    reminder_off: 'Không nhắc',
    minutes: '{n} phút',
    hour: '1 giờ',
    sync_title: 'Đồng bộ',
    sync_now: 'Đồng bộ ngay',
    sync_offline: 'Không có kết nối: ứng dụng sẽ tự đồng bộ khi có mạng trở lại.',
    programme_version: 'Phiên bản chương trình: {v}',
    device: 'Mã thiết bị: {id}',
    about: 'Về lễ hội',
    update_ready: 'Đã có phiên bản mới của ứng dụng.',
    reload: 'Tải lại',
    saved_offline: 'Đã lưu trên máy; sẽ gửi khi có mạng.',
    today: 'Hôm nay',
    news: 'Thông báo của ban tổ chức',
    read_more: 'Xem thêm',
    all_day: 'Cả ngày',
  },
  en: {
    app_name: 'Lễ hội',
    skip: 'Skip to content',
    nav_label: 'Main',
    nav_programme: 'Programme',
    nav_schedule: 'My schedule',
    nav_settings: 'Settings',
    nav_map: 'Map',
    nav_pass: 'Pass',
    pass_title: 'My pass',
    passport_title: 'Stamp passport',
    volunteer_title: 'Volunteers',
    org_title: 'Organisers',
    map_title: 'Festival map',
    plan_title: 'Plan my day',
    plan_button: 'Plan my day',
    online: 'Online',
    offline: 'Offline',
    offline_long: 'You are offline. Everything still works; your changes are sent when you are back online.',
    synced_at: 'Synced {time}',
    never_synced: 'Not synced yet',
    syncing: 'Syncing…',
    pending: '{n} changes waiting to be sent',
    pending_short: '{n} waiting to send',
    days_label: 'Festival days',
    search_label: 'Search events and venues',
    search_placeholder: 'Search events, venues…',
    clear_search: 'Clear search',
    category: 'Category',
    all_categories: 'All categories',
    venue_kind: 'Venue type',
    all_kinds: 'All venues',
    results_count: '{n} results for “{q}” across the festival',
    events_count: '{n} events',
    more_results: 'Show {n} more results',
    now_marker: 'Now · {time}',
    not_stored: 'This phone would not keep the programme (storage full or private browsing). The app works now, but needs the network when opened again.',
    venues_heading: 'Venues',
    events_heading: 'Events',
    no_events: 'No events match.',
    no_results: 'Nothing found for “{q}”.',
    loading: 'Loading the programme…',
    need_network: 'The first start needs a connection to download the programme. Please connect and try again.',
    retry: 'Try again',
    fav_add: 'Add “{title}” to My schedule',
    fav_remove: 'Remove “{title}” from My schedule',
    fav_add_short: 'Add to My schedule',
    fav_remove_short: 'In My schedule',
    add_calendar: 'Add to calendar (.ics)',
    back: 'Back',
    when: 'When',
    where: 'Where',
    capacity: 'Capacity: {n} people',
    capacity_label: 'Capacity',
    cancelled: 'Cancelled',
    cancelled_long: 'This event has been cancelled.',
    tags: 'Tags',
    sample_note: 'Sample data',
    not_found: 'This page was not found. It may have been removed from the programme.',
    to_programme: 'Back to the programme',
    hours: 'Opening hours',
    festival_hours: 'During the festival',
    weekly_hours: 'Usual opening hours',
    today_hours: 'Today: {hours}',
    closed: 'Closed',
    no_hours: 'No opening hours given.',
    address: 'Address',
    accessibility: 'Accessibility',
    events_here: 'Events here',
    no_events_here: 'No events here yet.',
    open_map: 'Show on a map',
    on_festival_map: 'On the festival map',
    go_there: 'Go there',
    schedule_title: 'My schedule',
    schedule_empty: 'Your schedule is empty. Tap ☆ next to an event to add it here.',
    schedule_count: '{n} saved events',
    overlap_with: 'Overlaps with: {titles}',
    overlap_summary: '{n} events overlap',
    settings_title: 'Settings',
    language: 'Language',
    reminder: 'Remind me before an event starts',
    reminder_off: 'No reminder',
    minutes: '{n} minutes',
    hour: '1 hour',
    sync_title: 'Sync',
    sync_now: 'Sync now',
    sync_offline: 'No connection: the app syncs by itself when it is back.',
    programme_version: 'Programme version: {v}',
    device: 'Device id: {id}',
    about: 'About the festival',
    update_ready: 'A new version of the app is ready.',
    reload: 'Reload',
    saved_offline: 'Saved on this phone; it will be sent when you are online.',
    today: 'Today',
    news: 'News from the organisers',
    read_more: 'Read more',
    all_day: 'All day',
  },
};

const CATEGORIES = {
  exhibition: ['Triển lãm', 'Exhibition'],
  installation: ['Sắp đặt', 'Installation'],
  workshop: ['Workshop', 'Workshop'],
  tour: ['Tham quan', 'Tour'],
  music: ['Âm nhạc', 'Music'],
  talk: ['Tọa đàm', 'Talk'],
  market: ['Chợ phiên', 'Market'],
  performance: ['Biểu diễn', 'Performance'],
  film: ['Phim', 'Film'],
  fashion: ['Thời trang', 'Fashion'],
};

const KINDS = {
  heritage: ['Di sản', 'Heritage'],
  craft_village: ['Làng nghề', 'Craft village'],
  creative_space: ['Không gian sáng tạo', 'Creative space'],
  garden: ['Vườn hoa, công viên', 'Garden'],
};

const WEEKDAY_SHORT = { vi: ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] };
const WEEKDAY_LONG = {
  vi: ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

let current = 'vi';

export function setLang(lang) {
  current = LANGS.includes(lang) ? lang : 'vi';
  return current;
}

export function getLang() {
  return current;
}

/** The language a new install starts in: Vietnamese unless the phone prefers another language. */
export function preferredLang(languages = globalThis.navigator?.languages || []) {
  for (const l of languages) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (base === 'vi') return 'vi';
    if (base === 'en') return 'en';
  }
  return languages.length ? 'en' : 'vi';
}

export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** A `{vi, en}` text in the current language (falling back to the other one). */
export function tr(text) {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[current] || text.vi || text.en || '';
}

const pick = (table, key) => (table[key] ? table[key][current === 'vi' ? 0 : 1] : key.replaceAll('_', ' '));
export const categoryName = (key) => pick(CATEGORIES, key);
export const kindName = (key) => pick(KINDS, key);
export const knownCategories = () => Object.keys(CATEGORIES);
export const knownKinds = () => Object.keys(KINDS);

function dateParts(day) {
  const d = new Date(`${day}T00:00:00Z`);
  return { weekday: d.getUTCDay(), date: d.getUTCDate(), month: d.getUTCMonth() };
}

/** 'T3' / 'Tue' and '12/11' / '12 Nov' for a day tab. */
export function dayTab(day) {
  const { weekday, date, month } = dateParts(day);
  return {
    weekday: WEEKDAY_SHORT[current][weekday],
    date: current === 'vi' ? `${date}/${month + 1}` : `${date} ${MONTHS_EN[month].slice(0, 3)}`,
  };
}

/** 'Thứ Ba, 12 tháng 11' / 'Tuesday 12 November'. */
export function dayLong(day) {
  const { weekday, date, month } = dateParts(day);
  return current === 'vi'
    ? `${WEEKDAY_LONG.vi[weekday]}, ${date} tháng ${month + 1}`
    : `${WEEKDAY_LONG.en[weekday]} ${date} ${MONTHS_EN[month]}`;
}

/** 'Thứ Hai' / 'Monday' for 'mon'. */
export function weekdayName(key) {
  return WEEKDAY_LONG[current][WEEKDAY_KEYS.indexOf(key)] ?? key;
}

/** More words for a part of the app that keeps them in its own module: addStrings({vi: {...}, en: {...}}). */
export function addStrings(more) {
  for (const lang of LANGS) Object.assign(STRINGS[lang], more[lang] || {});
}
