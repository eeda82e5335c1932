/** Every seller page, in one lazily loaded chunk (see ../admin/routes.ts for why). */
export { default as SellerDashboard } from './Dashboard.tsx';
export { default as SellerOrders } from './Orders.tsx';
export { default as SellerProducts } from './Products.tsx';
export { default as SellerProductForm } from './ProductForm.tsx';
