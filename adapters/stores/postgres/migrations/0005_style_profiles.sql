-- 0005_style_profiles.sql — each user's learned style profile and stated preferences, kept as
-- the JSON of adapters/style/profile_codec (versioned inside), one row per tenant and user.
-- Migrations run inside a transaction each: no BEGIN/COMMIT here.

CREATE TABLE style_profiles (
  tenant      text   NOT NULL,
  user_id     text   NOT NULL CHECK (user_id <> ''),
  profile     jsonb  NOT NULL,
  updated_ms  bigint NOT NULL,
  PRIMARY KEY (tenant, user_id)
);
