-- A small shop: customers, products, orders and their items.
-- SQLite-compatible DDL (also valid PostgreSQL); a tdgen example for the Getting started page.

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    email       VARCHAR(254) NOT NULL UNIQUE,
    first_name  VARCHAR(50)  NOT NULL,
    last_name   VARCHAR(50)  NOT NULL,
    country     CHAR(2)      NOT NULL CHECK (country IN ('US', 'GB', 'DE', 'FR', 'JP')),
    created_at  TIMESTAMP    NOT NULL
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         VARCHAR(12)   NOT NULL UNIQUE,
    name        VARCHAR(80)   NOT NULL,
    price       DECIMAL(10, 2) NOT NULL CHECK (price > 0 AND price <= 10000),
    in_stock    INTEGER       NOT NULL DEFAULT 0 CHECK (in_stock >= 0)
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER     NOT NULL REFERENCES customers (id),
    ordered_at  TIMESTAMP   NOT NULL,
    status      VARCHAR(10) NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    note        VARCHAR(200)
);

CREATE TABLE order_items (
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price  DECIMAL(10, 2) NOT NULL CHECK (unit_price > 0),
    PRIMARY KEY (order_id, product_id)
);
