/** Word lists the catalogue and the listeners draw their made-up names from. */

export const ADJECTIVES = [
  'Golden', 'Silver', 'Velvet', 'Electric', 'Quiet', 'Restless', 'Hollow', 'Neon', 'Paper', 'Wild', 'Broken', 'Northern',
  'Southern', 'Midnight', 'Crimson', 'Blue', 'Faded', 'Burning', 'Gentle', 'Lonely', 'Lucky', 'Secret', 'Sleepless', 'Distant',
  'Tender', 'Static', 'Glass', 'Honey', 'Iron', 'Little', 'Lost', 'Modern', 'Ordinary', 'Pale', 'Rusty', 'Sweet', 'Tiny', 'Violet',
  'Wandering', 'Young', 'Endless', 'Summer', 'Winter', 'Amber', 'Cosmic', 'Hidden', 'Slow', 'Bright',
] as const;

export const NOUNS = [
  'Harbor', 'River', 'Lantern', 'Engine', 'Garden', 'Highway', 'Mirror', 'Ocean', 'Satellite', 'Signal', 'Shadow', 'Window',
  'Heart', 'Horizon', 'Island', 'Machine', 'Morning', 'Mountain', 'Echo', 'Ghost', 'Wolf', 'Tide', 'Comet', 'Avenue', 'Fever',
  'Letter', 'Orchard', 'Parade', 'Radio', 'Season', 'Stranger', 'Thunder', 'Valley', 'Weather', 'Wire', 'Anchor', 'Bridge',
  'Candle', 'Desert', 'Feather', 'Harvest', 'Kingdom', 'Meadow', 'Motel', 'Planet', 'Rain', 'Skyline', 'Station', 'Storm',
  'Sugar', 'Velocity', 'Voyage', 'Canyon', 'Ember', 'Tower', 'Circus',
] as const;

export const PLURAL_NOUNS = [
  'Harbors', 'Lanterns', 'Engines', 'Mirrors', 'Satellites', 'Shadows', 'Wolves', 'Comets', 'Strangers', 'Anchors', 'Feathers',
  'Parades', 'Machines', 'Echoes', 'Ghosts', 'Tides', 'Signals', 'Owls', 'Foxes', 'Pilots', 'Sailors', 'Dreamers', 'Twins',
  'Kites', 'Arrows', 'Orbits', 'Pines', 'Rivals',
] as const;

export const FIRST_NAMES = [
  'Ada', 'Amara', 'Bea', 'Caleb', 'Dara', 'Elio', 'Freya', 'Gus', 'Hana', 'Idris', 'Jonas', 'Kira', 'Lena', 'Milo', 'Nadia',
  'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Theo', 'Uma', 'Vera', 'Wren', 'Yara', 'Zoe', 'Arlo', 'Clara', 'Emil', 'Ines',
  'Jude', 'Leo', 'Maya', 'Noor', 'Otto', 'Pia', 'Rafael', 'Sofia', 'Tomas', 'Lucia',
] as const;

export const LAST_NAMES = [
  'Castell', 'Moreau', 'Lindqvist', 'Okafor', 'Brennan', 'Tanaka', 'Novak', 'Alvarez', 'Keller', 'Haddad', 'Sorensen', 'Rossi',
  'Mendes', 'Fischer', 'Oduya', 'Kowalski', 'Laurent', 'Nakamura', 'Quinlan', 'Varga', 'Whitfield', 'Abara', 'Delacroix', 'Ferreira',
  'Ivanova', 'Marsh', 'Park', 'Stone', 'Vale', 'Winter',
] as const;

export const VERBS = [
  'Running', 'Falling', 'Dancing', 'Waiting', 'Drifting', 'Calling', 'Burning', 'Holding', 'Chasing', 'Leaving', 'Dreaming',
  'Singing', 'Breathing', 'Walking', 'Hiding', 'Shining',
] as const;

export const PREPOSITIONS = ['in the', 'through the', 'under the', 'for the', 'after the', 'across the', 'into the', 'beyond the'] as const;

export const TRACK_SUFFIXES = [' - Remastered 2011', ' - Live', ' - Acoustic', ' - Radio Edit', ' (Reprise)', ' - Demo', ' - 2019 Mix'] as const;

export const GENRES = [
  'indie pop', 'dream pop', 'synthwave', 'alt country', 'neo soul', 'chamber pop', 'post-punk', 'shoegaze', 'nu jazz',
  'folk rock', 'electropop', 'lo-fi beats', 'art rock', 'bedroom pop', 'afrobeat', 'bossa nova', 'garage rock', 'ambient',
] as const;

export const PLAYLIST_NAMES = [
  'Morning Coffee', 'Deep Focus', 'Road Trip', 'Sunday Slow', 'Late Night Drive', 'Workout Mix', 'Rainy Day', 'Kitchen Dance Party',
  'Chill Evening', 'Throwback Jams', 'Fresh Finds', 'Sleepy Time', 'Summer Vibes', 'Commute', 'Dinner with Friends', 'Indie Mornings',
  'Golden Hour', 'Songs to Sing in the Car', 'Low Key', 'Weekend Energy',
] as const;

export const COUNTRIES = ['SE', 'DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT', 'BR', 'JP', 'CA', 'NO', 'DK', 'FI', 'PL'] as const;

/** Markets listed in `available_markets` (a short, plausible list; Spotify's real one has ~180). */
export const MARKETS = ['AR', 'AU', 'BR', 'CA', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IT', 'JP', 'MX', 'NL', 'NO', 'PL', 'SE', 'US'] as const;
