/**
 * The storefront's entry: routes per ui-contract.md inside the Shell. Shopper pages load with the
 * first bundle; seller and operator pages are split out, since most visitors never open them.
 */
import 'virtual:uno.css';
import './styles.css';
import { lazy } from 'solid-js';
import { render } from 'solid-js/web';
import { Route, Router } from '@solidjs/router';
import { Shell } from './components/Shell.tsx';
import { Home } from './pages/shop/Home.tsx';
import { ProductPage } from './pages/shop/Product.tsx';
import { SearchPage } from './pages/shop/Search.tsx';
import { CartPage } from './pages/shop/Cart.tsx';
import { OrdersPage } from './pages/shop/Orders.tsx';
import { OrderDetailPage } from './pages/shop/OrderDetail.tsx';
import { LoginPage } from './pages/account/Login.tsx';
import { RegisterPage } from './pages/account/Register.tsx';
import { WalletPage } from './pages/account/Wallet.tsx';
import { AddressesPage } from './pages/account/Addresses.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';

const sellerPages = () => import('./pages/seller/routes.ts');
const adminPages = () => import('./pages/admin/routes.ts');
const SellerDashboard = lazy(() => sellerPages().then((pages) => ({ default: pages.SellerDashboard })));
const SellerOrders = lazy(() => sellerPages().then((pages) => ({ default: pages.SellerOrders })));
const SellerProducts = lazy(() => sellerPages().then((pages) => ({ default: pages.SellerProducts })));
const SellerProductForm = lazy(() => sellerPages().then((pages) => ({ default: pages.SellerProductForm })));
const AdminOverview = lazy(() => adminPages().then((pages) => ({ default: pages.AdminOverview })));
const AdminActors = lazy(() => adminPages().then((pages) => ({ default: pages.AdminActors })));
const AdminActorInspector = lazy(() => adminPages().then((pages) => ({ default: pages.AdminActorInspector })));
const AdminAudit = lazy(() => adminPages().then((pages) => ({ default: pages.AdminAudit })));
const AdminDisputes = lazy(() => adminPages().then((pages) => ({ default: pages.AdminDisputes })));
const AdminMail = lazy(() => adminPages().then((pages) => ({ default: pages.AdminMail })));
const AdminCluster = lazy(() => adminPages().then((pages) => ({ default: pages.AdminCluster })));

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

render(
  () => (
    <Router root={Shell}>
      <Route path="/" component={Home} />
      <Route path="/products/:id" component={ProductPage} />
      <Route path="/search" component={SearchPage} />
      <Route path="/cart" component={CartPage} />
      <Route path="/orders" component={OrdersPage} />
      <Route path="/orders/:id" component={OrderDetailPage} />
      <Route path="/wallet" component={WalletPage} />
      <Route path="/account/addresses" component={AddressesPage} />
      <Route path="/login" component={LoginPage} />
      <Route path="/register" component={RegisterPage} />
      <Route path="/seller" component={SellerDashboard} />
      <Route path="/seller/orders" component={SellerOrders} />
      <Route path="/seller/products" component={SellerProducts} />
      <Route path="/seller/products/new" component={SellerProductForm} />
      <Route path="/seller/products/:id/edit" component={SellerProductForm} />
      <Route path="/admin" component={AdminOverview} />
      <Route path="/admin/actors" component={AdminActors} />
      <Route path="/admin/actors/:key" component={AdminActorInspector} />
      <Route path="/admin/audit" component={AdminAudit} />
      <Route path="/admin/disputes" component={AdminDisputes} />
      <Route path="/admin/mail" component={AdminMail} />
      <Route path="/admin/cluster" component={AdminCluster} />
      <Route path="*" component={NotFoundPage} />
    </Router>
  ),
  root,
);
