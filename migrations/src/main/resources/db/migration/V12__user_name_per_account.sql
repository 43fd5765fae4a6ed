-- User names are unique per account, no longer across every tenant: two tenants may both have a
-- user "ops", and creating one no longer tells a tenant that a name exists in another account.
-- API keys identify users (by id); nothing looks a user up by its name alone.
ALTER TABLE users
  DROP INDEX name,
  ADD CONSTRAINT uq_user_account_name UNIQUE (account_id, name);
