-- Staff members' names, as colleagues know them (王芳, Wang Fang): the console names assignees and
-- the header names whoever is signed in by it. Members added before this have none and are named
-- by their e-mail address, as before, until one is given.
ALTER TABLE staff_users ADD COLUMN name TEXT;
