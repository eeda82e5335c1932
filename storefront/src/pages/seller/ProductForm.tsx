/**
 * Create (/seller/products/new) or edit (/seller/products/:id/edit) a product: fields, a category
 * from the catalogue's list (or a new one), images (chosen while creating too, uploaded once the
 * product exists), and a delete that asks first. Prices are typed in dollars and sent as integer cents. The catalog read model
 * trails the seller actor by a moment, so the edit page shows what the write answers returned.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useAction, useNavigate, useParams } from '@solidjs/router';
import type { ProductDto } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, ErrorNote, PageHeader } from '../../components/ui.tsx';
import { categoryLabel, getCategories, getFreshProduct } from '../../data/catalog.ts';
import { createProduct, deleteProduct, updateProduct, uploadProductImage } from '../../data/seller.ts';
import type { ProductFieldsInput } from '../../data/seller.ts';
import { useCommand } from '../../lib/command.ts';
import { retryableIds } from '../../lib/ids.ts';
import { centsToInput, parseCents } from '../../lib/money.ts';

/** The gateway's image bound (gateway/images.ts), checked first so a large file fails fast. */
const maxImageBytes = 5 * 1024 * 1024;
const imageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** Images one new product may take before it is saved. */
const maxImagesOnCreate = 6;

function field(id: string, label: string, input: JSX.Element): JSX.Element {
  return (
    <div>
      <label for={id} class="field-label">
        {label}
      </label>
      {input}
    </div>
  );
}

/** The form's text values → the wire fields, or a sentence naming what to fix. */
function readFields(values: Record<'title' | 'description' | 'category' | 'price' | 'stock', string>): ProductFieldsInput | string {
  const price = parseCents(values.price);
  if (values.title.trim() === '') return 'Give the product a title.';
  if (!price.ok) return `Price: ${price.reason}`;
  if (price.cents < 1) return 'Price: the price must be at least $0.01.';
  if (!/^\d{1,7}$/.test(values.stock.trim())) return 'Stock: use a whole number from 0 to 1,000,000.';
  const category = values.category.trim().toLowerCase();
  if (!/^[a-z0-9-]{1,60}$/.test(category)) return 'Category: use lowercase letters, digits and dashes, such as home-garden.';
  return { title: values.title.trim(), description: values.description, category, priceMinor: price.cents, stock: Number(values.stock.trim()) };
}

/** A new category is typed only when none of the catalogue's fits. */
const otherCategory = '__other__';

function CategoryField(props: { value: string; onChange: (category: string) => void }): JSX.Element {
  const categories = createAsync(() => getCategories());
  const known = (): boolean => props.value === '' || (categories()?.some((category) => category.slug === props.value) ?? true);
  const [typing, setTyping] = createSignal(false);
  return (
    <div>
      <label for="product-category" class="field-label">
        Category
      </label>
      <select
        id="product-category"
        class="field min-h-11"
        required
        onChange={(event) => {
          const choice = event.currentTarget.value;
          setTyping(choice === otherCategory);
          props.onChange(choice === otherCategory ? '' : choice);
        }}
      >
        <option value="" disabled selected={props.value === '' && !typing()}>
          Choose a category
        </option>
        <For each={categories() ?? []}>
          {(category) => (
            <option value={category.slug} selected={category.slug === props.value}>
              {categoryLabel(category.slug)}
            </option>
          )}
        </For>
        <option value={otherCategory} selected={typing() || !known()}>
          Another category…
        </option>
      </select>
      <Show when={typing() || !known()}>
        <label for="product-category-new" class="field-label mt-2">
          New category
        </label>
        <input id="product-category-new" class="field" required placeholder="home-garden" value={props.value} onInput={(event) => props.onChange(event.currentTarget.value)} />
        <p class="m-0 mt-1 text-xs text-muted">Lowercase letters, digits and dashes.</p>
      </Show>
    </div>
  );
}

function FieldsForm(props: { product: ProductDto | null; onSaved: (product: ProductDto) => void }): JSX.Element {
  const navigate = useNavigate();
  const create = useAction(createProduct);
  const update = useAction(updateProduct);
  const upload = useAction(uploadProductImage);
  const [files, setFiles] = createSignal<readonly File[]>([]);
  const write = useCommand();
  const initial = props.product;
  const [values, setValues] = createSignal({
    title: initial?.title ?? '',
    description: initial?.description ?? '',
    category: initial?.category ?? '',
    price: initial === null ? '' : centsToInput(initial.priceMinor),
    stock: initial === null ? '1' : String(initial.stock),
  });
  const [saved, setSaved] = createSignal(false);
  /** A new product's fields keep one command id while they are sent again (lib/ids.ts). */
  const ids = retryableIds();
  /** Images already uploaded to the product created here: a retry after a failed upload gets the
   *  same product back and sends only the images it does not have yet. */
  const uploaded = new Set<File>();
  let uploadedTo = '';
  const set = (name: keyof ReturnType<typeof values>) => (event: { currentTarget: { value: string } }) => {
    setSaved(false);
    setValues({ ...values(), [name]: event.currentTarget.value });
  };

  function save(event: SubmitEvent): void {
    event.preventDefault();
    const fields = readFields(values());
    if (typeof fields === 'string') return write.fail(fields);
    void write.run(async () => {
      if (initial === null) {
        const created = await create(ids.idFor(JSON.stringify(fields)), fields);
        if (uploadedTo !== created.id) {
          uploaded.clear();
          uploadedTo = created.id;
        }
        // The product exists now; its chosen images follow, one upload each.
        for (const file of files()) {
          if (uploaded.has(file)) continue;
          await upload(created.id, file);
          uploaded.add(file);
        }
        ids.done();
        navigate(`/seller/products/${encodeURIComponent(created.id)}/edit`, { replace: true });
        return;
      }
      props.onSaved(await update(initial.id, fields));
      setSaved(true);
    });
  }

  return (
    <form class="card-premium grid gap-4 p-5" onSubmit={save}>
      {field('product-title', 'Title', <input id="product-title" class="field" required maxLength={120} value={values().title} onInput={set('title')} />)}
      {field('product-description', 'Description', <textarea id="product-description" class="field min-h-28" maxLength={2000} value={values().description} onInput={set('description')} />)}
      <div class="grid gap-4 sm:grid-cols-3">
        <CategoryField value={values().category} onChange={(category) => set('category')({ currentTarget: { value: category } })} />
        {field('product-price', 'Price (USD)', <input id="product-price" class="field" required inputmode="decimal" placeholder="19.99" value={values().price} onInput={set('price')} />)}
        {field('product-stock', 'Stock', <input id="product-stock" class="field" required inputmode="numeric" value={values().stock} onInput={set('stock')} />)}
      </div>
      <Show when={initial === null}>
        <NewImages files={files()} onChange={setFiles} onError={write.fail} />
      </Show>
      <div class="flex flex-wrap items-center gap-3">
        <button type="submit" class="btn-premium min-h-11" disabled={write.pending()}>
          {initial === null ? 'Create product' : 'Save'}
        </button>
        <Show when={saved()}>
          <span class="text-sm text-good" role="status">
            Saved.
          </span>
        </Show>
      </div>
      <ErrorNote error={write.error()} />
    </form>
  );
}

/** A sentence naming what is wrong with a chosen image, or null when it can be uploaded. */
function imageProblem(file: File): string | null {
  if (!imageTypes.includes(file.type)) return `${file.name}: use a PNG, JPEG, GIF or WebP image.`;
  if (file.size > maxImageBytes) return `${file.name} is larger than 5 MB.`;
  return null;
}

/** Images picked before the product exists, previewed here and uploaded right after it is created. */
function NewImages(props: { files: readonly File[]; onChange: (files: readonly File[]) => void; onError: (text: string) => void }): JSX.Element {
  const previews = (): { file: File; url: string }[] => props.files.map((file) => ({ file, url: URL.createObjectURL(file) }));
  return (
    <div>
      <label for="product-new-images" class="field-label">
        Pictures (optional, up to {maxImagesOnCreate})
      </label>
      <input
        id="product-new-images"
        type="file"
        multiple
        accept={imageTypes.join(',')}
        class="field"
        onChange={(event) => {
          const chosen = [...(event.currentTarget.files ?? [])];
          const problem = chosen.map(imageProblem).find((text) => text !== null);
          if (problem !== undefined && problem !== null) return props.onError(problem);
          props.onChange([...props.files, ...chosen].slice(0, maxImagesOnCreate));
        }}
      />
      <div class="mt-2 grid grid-cols-3 gap-2 sm:grid-cols-6">
        <For each={previews()}>
          {(preview) => (
            <figure class="m-0 grid gap-1">
              <img data-testid="new-image-preview" src={preview.url} alt={`Chosen: ${preview.file.name}`} class="aspect-square w-full rounded-xl object-cover" />
              <button type="button" class="btn-ghost min-h-11 text-xs" onClick={() => props.onChange(props.files.filter((file) => file !== preview.file))}>
                Remove
              </button>
            </figure>
          )}
        </For>
      </div>
    </div>
  );
}

function ImagesPanel(props: { product: ProductDto; images: readonly string[]; onUploaded: (product: ProductDto) => void }): JSX.Element {
  const upload = useAction(uploadProductImage);
  const write = useCommand();
  const [file, setFile] = createSignal<File | null>(null);

  function uploadImage(): void {
    const chosen = file();
    if (chosen === null) return write.fail('Choose an image file first.');
    const problem = imageProblem(chosen);
    if (problem !== null) return write.fail(problem);
    void write.run(async () => props.onUploaded((await upload(props.product.id, chosen)).product));
  }

  return (
    <section class="card-premium grid gap-3 p-5">
      <h2 class="m-0 text-lg font-bold">Pictures</h2>
      <div class="grid grid-cols-3 gap-2">
        <For each={props.images} fallback={<p class="col-span-3 m-0 text-sm text-muted">No images yet.</p>}>
          {(url) => <img data-testid="product-image" src={url} alt={props.product.title} class="aspect-square w-full rounded-xl object-cover" />}
        </For>
      </div>
      {field('product-image-file', 'Image', <input id="product-image-file" type="file" accept={imageTypes.join(',')} class="field" onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)} />)}
      <button type="button" class="btn-ghost" disabled={write.pending()} onClick={uploadImage}>
        Upload image
      </button>
      <ErrorNote error={write.error()} />
    </section>
  );
}

/** Delete asks first, naming the product; the list it returns to hides it at once. */
function DeletePanel(props: { product: ProductDto }): JSX.Element {
  const navigate = useNavigate();
  const remove = useAction(deleteProduct);
  const write = useCommand();
  const [asking, setAsking] = createSignal(false);
  return (
    <section class="card-premium grid gap-3 p-5">
      <Show
        when={asking()}
        fallback={
          <button type="button" class="btn-danger min-h-11" onClick={() => setAsking(true)}>
            Delete product
          </button>
        }
      >
        <p class="m-0" role="alert">
          Delete “{props.product.title}”? Shoppers can no longer find or buy it; orders already placed are kept.
        </p>
        <div class="flex flex-wrap gap-2">
          <button
            type="button"
            class="btn-danger min-h-11"
            disabled={write.pending()}
            onClick={() =>
              void write.run(async () => {
                await remove(props.product.id);
                navigate('/seller/products', { replace: true, state: { deleted: props.product.id } });
              })
            }
          >
            Yes, delete it
          </button>
          <button type="button" class="btn-ghost min-h-11" disabled={write.pending()} onClick={() => setAsking(false)}>
            Keep it
          </button>
        </div>
      </Show>
      <ErrorNote error={write.error()} />
    </section>
  );
}

/** The edit page shows what the write answers returned, as the read model may still lag. */
function Editor(props: { product: ProductDto | null }): JSX.Element {
  const [images, setImages] = createSignal<readonly string[]>(props.product?.images ?? []);
  return (
    <div class="grid gap-6 lg:grid-cols-[1fr_20rem]">
      <FieldsForm product={props.product} onSaved={(product) => setImages(product.images)} />
      <Show when={props.product}>
        {(product) => (
          <aside class="grid content-start gap-4">
            <ImagesPanel product={product()} images={images()} onUploaded={(updated) => setImages(updated.images)} />
            <DeletePanel product={product()} />
          </aside>
        )}
      </Show>
    </div>
  );
}

function EditLoader(props: { id: string }): JSX.Element {
  const product = createAsync(() => getFreshProduct(props.id));
  return <Show when={product()}>{(current) => <Editor product={current()} />}</Show>;
}

export default function SellerProductForm(): JSX.Element {
  const params = useParams();
  return (
    <RequireRole roles={['SELLER']}>
      {() => (
        <div>
          <PageHeader title={params['id'] === undefined ? 'New product' : 'Edit product'} />
          <Show when={params['id']} fallback={<Editor product={null} />} keyed>
            {(id) => (
              <Async rows={4}>
                <EditLoader id={id} />
              </Async>
            )}
          </Show>
        </div>
      )}
    </RequireRole>
  );
}
