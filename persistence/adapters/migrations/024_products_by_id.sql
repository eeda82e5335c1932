-- Products are found by their id alone: a product's page (`findProduct`), checkout's lookup of each
-- product's seller (`sellersOfProducts`) and the search consumer's round (`findProductsByIds`).
-- The primary key leads with the seller, so each of those read the whole catalog (issue #13's
-- ninth round). Ids are unique within a seller only (004_read_models.sql), so the index is not
-- unique. Stock changes still update a product in place (HOT): they change no indexed column.
CREATE INDEX IF NOT EXISTS products_by_id ON products (product_id);
