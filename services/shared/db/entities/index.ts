export * from './user.entity.js';
export * from './spotify-credentials.entity.js';
export * from './catalogue.entity.js';
export * from './listening-event.entity.js';
export * from './poll-state.entity.js';
export * from './session.entity.js';
export * from './import.entity.js';
export * from './play-count.entity.js';
