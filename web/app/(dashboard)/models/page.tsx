import { redirect } from 'next/navigation';

/** Models are listed on the Overview. */
export default function ModelsIndex() {
  redirect('/');
}
